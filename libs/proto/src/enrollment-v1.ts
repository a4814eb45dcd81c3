// p2psip.enrollment.v1 as one namespace: enrollment for clients and its admin service.
export * from './gen/p2psip/enrollment/v1/admin';
export * from './gen/p2psip/enrollment/v1/enrollment';
