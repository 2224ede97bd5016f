/** A phone as an ordinary member sees another member's: the network prefix and the last four digits. */
export const maskPhone = (phone: string | null): string | null =>
  phone && phone.length > 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone && '****';
