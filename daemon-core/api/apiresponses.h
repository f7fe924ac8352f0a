#pragma once

#include <QJsonObject>

#include <optional>

#include "shared/domain/fielderrors.h"
#include "shared/http/httphandler.h"
#include "shared/http/httprequest.h"
#include "shared/http/httpresponse.h"

// How the management API says no (SPEC §5: "validation and clear errors"): one shape for every
// failure, {"error", "message"} plus "fields" (dotted path → message) when fields are at fault,
// so the console can show each message beside its field.
namespace prophasis {

class StorageError;

// 422 with every field's message.
HttpResponse fieldErrorsResponse(const FieldErrors &errors);
// NotFound 404; Conflict 409 (a stale version: reload and re-apply); Duplicate 409 with its
// field; MissingReference and Invalid 422 (with their field when they name one); Unavailable 503
// with Retry-After; Internal 500 without the details (they go to the log).
HttpResponse storageErrorResponse(const StorageError &error);

// The request's body as a JSON object; nullopt with *refusal set when it is not one (415 for
// another Content-Type, 400 for bad JSON, naming the offset).
std::optional<QJsonObject> readJsonObject(const HttpRequest &request, HttpResponse *refusal);
// The same for a body that may be left out: no body is an empty object.
std::optional<QJsonObject> readOptionalJsonObject(const HttpRequest &request, HttpResponse *refusal);
// Both, sending the refusal themselves (as pathId does), for handlers that stop at nullopt.
std::optional<QJsonObject> readJsonObject(const HttpRequest &request, const HttpResponder &responder);
std::optional<QJsonObject> readOptionalJsonObject(const HttpRequest &request, const HttpResponder &responder);

} // namespace prophasis
