import type { Server, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_FILES, PROTO_ROOT } from '@p2psip/proto';
import path from 'node:path';

let contracts: PackageDefinition | undefined;
let services: [ServiceDefinition, UntypedServiceImplementation][] | undefined;

/**
 * Serves gRPC server reflection for every contract of the project plus the health service, so
 * operators can use grpcurl or similar tools without .proto files at hand. The descriptors and
 * the reflection services are built once per process: many virtual peers share them, and they
 * never change at run time (ReflectionService.addToServer loads its own .proto files on every
 * call — 50 virtual peers held 50 copies — so its services are captured once and added to each
 * server here).
 */
export function addReflection(server: Server): void {
  services ??= reflectionServices();
  for (const [definition, implementation] of services) server.addService(definition, implementation);
}

function reflectionServices(): [ServiceDefinition, UntypedServiceImplementation][] {
  const captured: [ServiceDefinition, UntypedServiceImplementation][] = [];
  const collector = {
    addService: (definition: ServiceDefinition, implementation: UntypedServiceImplementation) => {
      captured.push([definition, implementation]);
    },
  };
  new ReflectionService(loadContracts()).addToServer(collector);
  return captured;
}

function loadContracts(): PackageDefinition {
  contracts ??= loadSync([...PROTO_FILES, path.basename(healthProtoPath)], {
    includeDirs: [PROTO_ROOT, path.dirname(healthProtoPath)],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return contracts;
}
