import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_FILES, PROTO_ROOT } from '@p2psip/proto';
import path from 'node:path';

let contracts: PackageDefinition | undefined;

/**
 * Serves gRPC server reflection for every contract of the project plus the health service, so
 * operators can use grpcurl or similar tools without .proto files at hand. The descriptors are
 * loaded once per process: many virtual peers share them, and they never change at run time.
 */
export function addReflection(server: Server): void {
  contracts ??= loadSync([...PROTO_FILES, path.basename(healthProtoPath)], {
    includeDirs: [PROTO_ROOT, path.dirname(healthProtoPath)],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  new ReflectionService(contracts).addToServer(server);
}
