export * from './sip-answerer';
export * from './sip-caller';
export * from './sip-connection';
export * from './sip-requests';
