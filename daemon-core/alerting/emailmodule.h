#pragma once

#include <array>
#include <optional>
#include <utility>

#include "daemon-core/alerting/alertmodule.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

// How the connection to the SMTP server is protected.
enum class SmtpTls
{
    StartTls, // plain connection upgraded with STARTTLS, which must succeed (port 587)
    Implicit, // TLS from the first byte, smtps:// (port 465)
    None,     // no TLS at all: only when configured, and never with a password
};

template <>
struct EnumNames<SmtpTls>
{
    static constexpr std::array<std::pair<SmtpTls, const char *>, 3> table = {{
        {SmtpTls::StartTls, "starttls"},
        {SmtpTls::Implicit, "tls"},
        {SmtpTls::None, "none"},
    }};
};

inline constexpr int DefaultSmtpTimeoutSeconds = 30;
inline constexpr int MaxSmtpTimeoutSeconds = 300;
inline constexpr int MaxMailRecipients = 50;

struct EmailSettings
{
    QString server;
    int port = 587;
    SmtpTls tls = SmtpTls::StartTls;
    QString username; // empty: no AUTH
    QString password; // secret "password"
    QString from;
    QStringList to;
    QString subjectPrefix = QStringLiteral("[Prophasis]");
    int timeoutSeconds = DefaultSmtpTimeoutSeconds;
    QString caFile;
    bool verifyTls = true;

    static std::optional<EmailSettings> read(const Alert &alert, FieldErrors &errors);
    // "smtp://mail.example.com:587" (brackets around IPv6 addresses).
    QString url() const;
};

// Mail through an SMTP server with libcurl (SPEC §5): STARTTLS that must succeed when asked for
// (CURLUSESSL_ALL: the "try" mode would let an attacker strip it), implicit TLS, AUTH with a
// password kept as a secret, the server's certificate verified (against ca_file when set), and
// a UTF-8 plain-text message with an RFC 2047 subject.
class EmailModule : public AlertModule
{
public:
    QString name() const override { return QStringLiteral("email"); }
    FieldErrors validate(const Alert &alert) const override;
    DeliveryResult deliver(const Alert &alert, const AlertNotification &notification,
                           const DeliveryContext &context) const override;
};

} // namespace prophasis
