/**
 * The Redis keys of a cluster, all under one prefix (CLUSTER_KEY_PREFIX; tests use a prefix each). One Redis
 * (with replicas or Sentinel), not Redis Cluster: the epoch counter is shared by every meeting's claim script.
 */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** Ids of the nodes that published themselves (an index; a node is live while its own key exists). */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  node(id: string): string {
    return `${this.prefix}node:${id}`;
  }

  /** One counter for every claim of every meeting: epochs only grow. */
  get epoch(): string {
    return `${this.prefix}epoch`;
  }

  lease(meetingId: string): string {
    return `${this.prefix}lease:${meetingId}`;
  }

  room(meetingId: string): string {
    return `${this.prefix}room:${meetingId}`;
  }

  /** The pub/sub channel a node hears the requests for it and the answers to its own on (node-channel.ts). */
  channel(nodeId: string): string {
    return `${this.prefix}channel:${nodeId}`;
  }

  /** The pub/sub channel every node hears the notices for every node on (NodeChannel.tellEveryNode). */
  get broadcast(): string {
    return `${this.prefix}broadcast`;
  }
}
