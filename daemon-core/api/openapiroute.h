#pragma once

#include <QByteArray>

#include "daemon-core/app/routetable.h"

namespace prophasis {

// GET /api/v1/openapi.json (SPEC §9): the OpenAPI 3 document of the core's HTTPS API, kept by hand
// in daemon-core/api/openapi.json and built into the binary. tests/api/tst_openapi.cpp holds it to
// the routes mountManagementApi() mounts, both ways.
void mountOpenApiRoute(RouteTable &routes);

// The document as served: the built-in file with info.version set to this build's version.
QByteArray openApiDocument();

} // namespace prophasis
