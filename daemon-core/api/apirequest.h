#pragma once

#include <functional>

#include "daemon-core/app/routetable.h"
#include "daemon-core/auth/authtypes.h"
#include "shared/http/httphandler.h"

namespace prophasis {

// One management API request that passed the guard: who sent it and what it names.
struct ApiRequest
{
    HttpRequest http;
    PathParameters parameters;
    ClientInfo client;
    Principal principal;

    // The client's address as the audit log records it.
    QString source() const { return client.address.toString(); }
};

using ApiHandler = std::function<void(const ApiRequest &request, HttpResponder responder)>;

} // namespace prophasis
