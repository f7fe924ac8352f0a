#pragma once

#include <QDateTime>
#include <QString>
#include <QUuid>

#include <optional>

#include "shared/domain/user.h"

namespace prophasis {

// Who a request comes from, once its bearer token is accepted.
struct Principal
{
    enum class Kind
    {
        Session,
        ApiToken,
    };
    Kind kind = Kind::Session;
    QUuid userId; // the session's user, or the token's owner
    QString username;
    Role role = Role::Viewer; // an API token's: its own role, capped by its owner's current role
    QUuid tokenId;            // API tokens only
    QString tokenName;        // API tokens only
};

// The answer to a bearer token: a principal, or why not.
struct Authentication
{
    enum class Refusal
    {
        None,
        Missing,  // no token, or not one we could have issued
        Unknown,  // no such session or token
        Expired,  // a session idle too long or past its lifetime, a token past its expiry
        Revoked,  // logged out or revoked (while this core runs; after a restart: Unknown)
        Disabled, // the user (or the token's owner) is disabled
    };
    std::optional<Principal> principal;
    Refusal refusal = Refusal::None;

    bool ok() const { return principal.has_value(); }
};

// The answer to a login.
struct LoginResult
{
    enum class Outcome
    {
        Ok,
        BadCredentials, // unknown user or wrong password: the same answer, in about the same time
        Locked,         // too many failures for this user; retryAfter says until when
        Throttled,      // too many failures from this address (or logins queued); see retryAfter
        Disabled,       // right password, but the user is disabled
    };
    Outcome outcome = Outcome::BadCredentials;
    QString token;        // Ok: the session token, shown this once; only its SHA-256 is stored
    QDateTime expires;    // Ok: when the session ends if unused
    User user;            // Ok: the user, without its password hash
    QDateTime retryAfter; // Locked, Throttled

    bool ok() const { return outcome == Outcome::Ok; }
};

// A request to create an API token (POST /api/v1/tokens).
struct TokenRequest
{
    QString name;
    Role role = Role::Viewer;
    QDateTime expires; // invalid: never
};

// A new API token: the stored record (without its hash) and the token text, shown this once.
struct CreatedToken
{
    ApiToken token;
    QString secret;
};

} // namespace prophasis
