// The part of @msimerson/stun (plain JavaScript, no typings) the relay uses: messages, attributes
// and MESSAGE-INTEGRITY. Kept here, beside its only user.
declare module '@msimerson/stun' {
  export interface StunAttribute {
    readonly type: number;
    readonly value: unknown;
  }
  export interface StunAddress {
    readonly address: string;
    readonly port: number;
    readonly family: string;
  }
  export interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    getAttribute(type: number): StunAttribute | undefined;
    getXorAddress(): StunAddress | undefined;
    addAttribute(type: number, ...values: unknown[]): StunAttribute;
    addUsername(username: string): StunAttribute;
    addMessageIntegrity(key: Buffer | string): boolean;
    addFingerprint(): boolean;
    toBuffer(): Buffer;
  }
  export function createMessage(type: number, transactionId?: Buffer): StunMessage;
  export function decode(bytes: Buffer): StunMessage;
  export function validateMessageIntegrity(message: StunMessage, key: Buffer | string): boolean;
  export const constants: Readonly<Record<string, number>>;
}
