#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <optional>

#include "shared/http/httprequest.h"

namespace prophasis {

// The cookies, forms and CSRF defences of the status page's viewer login.
//
// CSRF: three layers, any one of which stops a forged POST.
// 1. The cookies are SameSite=Strict: a POST started by another site carries none.
// 2. A POST must come from our own origin: its Origin (else its Referer) must be https://<Host>.
// 3. Each form carries a token, an HMAC under a key that lives only in this process's memory,
//    bound to something the attacker cannot read: the login form to a random nonce in the
//    HttpOnly login cookie (a signed double submit), the logout form to the session token
//    itself. Stateless (nothing stored per form), and a token taken from one browser is
//    worthless in another; a restart makes open forms stale, which a reload fixes.

inline constexpr char StatusSessionCookie[] = "prophasis_status";
inline constexpr char StatusLoginCookie[] = "prophasis_status_login";
// How long a login form stays usable.
inline constexpr int StatusLoginFormSeconds = 3600;
// Form fields longer than this are refused (a user name or password is far shorter).
inline constexpr int MaxFormFieldLength = 1024;

// The value of cookie `name` in the request's Cookie headers; empty when absent.
QByteArray requestCookie(const HttpRequest &request, QByteArrayView name);

// A Set-Cookie value for the status page: HttpOnly; Secure; SameSite=Strict; Path=/status,
// kept for the browser session (maxAgeSeconds < 0), for maxAgeSeconds, or removed (0).
QByteArray statusCookie(QByteArrayView name, QByteArrayView value, int maxAgeSeconds = -1);

// An application/x-www-form-urlencoded body as field → value; nullopt when the body is not one
// (another Content-Type, a field repeated or too long).
std::optional<QHash<QString, QString>> readForm(const HttpRequest &request);

// Whether a POST comes from a page of ours: Origin (else Referer) names https://<Host>.
bool isSameOrigin(const HttpRequest &request);

// A path of ours to go back to after the login; "/status" for anything else (no open redirect).
QString safeStatusPath(const QString &path);

// The form tokens (layer 3 above). The key is made once per process, shared by every listener.
class StatusFormTokens
{
public:
    // A fresh random nonce for the login cookie (base64url, 32 random bytes).
    static QByteArray newNonce();
    // The token of a form with this purpose ("login", "logout") bound to `binding`.
    static QByteArray token(QByteArrayView purpose, QByteArrayView binding);
    // Constant-time comparison; false for an empty binding or token.
    static bool verify(QByteArrayView purpose, QByteArrayView binding, QByteArrayView token);
};

} // namespace prophasis
