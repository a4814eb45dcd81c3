// p2psip.overlay.v1 as one namespace: the routed RELOAD message, its bodies and the peer link.
export * from './gen/p2psip/overlay/v1/attach';
export * from './gen/p2psip/overlay/v1/config';
export * from './gen/p2psip/overlay/v1/link';
export * from './gen/p2psip/overlay/v1/message';
export * from './gen/p2psip/overlay/v1/path_track';
export * from './gen/p2psip/overlay/v1/storage';
export * from './gen/p2psip/overlay/v1/topology';
