/** A link that could not be set up or was refused (hello, identity, revocation). */
export class LinkRefusedError extends Error {
  readonly code = 'LINK_REFUSED';
  readonly kind = 'forbidden';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
