#include "daemon-core/alerting/emailmodule.h"

#include <QHostAddress>

#include <cstring>

#include "daemon-core/alerting/curleasy.h"
#include "daemon-core/alerting/mimemessage.h"
#include "daemon-core/alerting/moduleoptions.h"
#include "shared/domain/validation.h"

namespace prophasis {

namespace {

int defaultPort(SmtpTls tls)
{
    switch (tls) {
    case SmtpTls::Implicit:
        return 465;
    case SmtpTls::None:
        return 25;
    case SmtpTls::StartTls:
        break;
    }
    return 587;
}

struct Upload
{
    QByteArray data;
    qsizetype offset = 0;
};

size_t readUpload(char *buffer, size_t size, size_t count, void *userData)
{
    auto *upload = static_cast<Upload *>(userData);
    const qsizetype bytes =
        std::min<qsizetype>(qsizetype(size * count), upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.constData() + upload->offset, size_t(bytes));
    upload->offset += bytes;
    return size_t(bytes);
}

// What went wrong, in words that say what to do, with the server's own reply when there is one.
QString describeFailure(const EmailSettings &settings, CURLcode code, const CurlEasy &curl)
{
    const QString where = QStringLiteral("%1:%2").arg(settings.server).arg(settings.port);
    const QString said = QString::fromUtf8(curl.lastServerLine());
    const QString saidPart = said.isEmpty() ? QString() : QStringLiteral(" (the server said: %1)").arg(said);
    switch (code) {
    case CURLE_USE_SSL_FAILED:
        return QStringLiteral(
                   "the SMTP server %1 does not offer STARTTLS, and this alert requires TLS "
                   "(tls: \"starttls\"); nothing was sent. Enable TLS on the server, or use tls: \"tls\" "
                   "for a server with implicit TLS (port 465)")
            .arg(where);
    case CURLE_LOGIN_DENIED:
        return QStringLiteral("the SMTP server %1 refused the login of user \"%2\": check the user name and "
                              "the password%3")
            .arg(where, settings.username, saidPart);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return QStringLiteral(
                   "the TLS certificate of the SMTP server %1 is not trusted: %2. Set ca_file to the CA "
                   "that issued it")
            .arg(where, curl.errorText(code));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
        return QStringLiteral("cannot reach the SMTP server %1: %2").arg(where, curl.errorText(code));
    default:
        break;
    }
    return QStringLiteral("sending mail through %1 failed: %2%3").arg(where, curl.errorText(code), saidPart);
}

} // namespace

std::optional<EmailSettings> EmailSettings::read(const Alert &alert, FieldErrors &errors)
{
    const qsizetype before = errors.list().size();
    ModuleOptionReader reader(alert, errors,
                              {QStringLiteral("server"), QStringLiteral("port"), QStringLiteral("tls"),
                               QStringLiteral("username"), QStringLiteral("from"), QStringLiteral("to"),
                               QStringLiteral("subject_prefix"), QStringLiteral("timeout_s"),
                               QStringLiteral("ca_file"), QStringLiteral("verify_tls")},
                              {QStringLiteral("password")});
    JsonReader &options = reader.options();
    EmailSettings settings;
    settings.server = options.string(QStringLiteral("server"), {}, true).trimmed();
    if (!settings.server.isEmpty() && !isValidHostAddress(settings.server))
        reader.error(QStringLiteral("server"), QStringLiteral("must be a DNS name or an IP address"));
    settings.tls = options.enumValue(QStringLiteral("tls"), SmtpTls::StartTls);
    settings.port = int(options.integer(QStringLiteral("port"), defaultPort(settings.tls), 1, 65535));
    settings.username = options.string(QStringLiteral("username"));
    settings.password = reader.secret(QStringLiteral("password"), !settings.username.isEmpty());
    if (!settings.password.isEmpty() && settings.username.isEmpty())
        reader.error(QStringLiteral("username"), QStringLiteral("is required with a password"));
    if (settings.tls == SmtpTls::None && !settings.username.isEmpty())
        reader.error(QStringLiteral("tls"),
                     QStringLiteral("must be \"starttls\" or \"tls\" when logging in: the password would "
                                    "cross the network in clear"));
    settings.from = options.string(QStringLiteral("from"), {}, true).trimmed();
    if (!settings.from.isEmpty() && !isValidMailAddress(settings.from))
        reader.error(QStringLiteral("from"),
                     QStringLiteral("must be a mail address such as monitor@example.com"));
    settings.to = options.stringList(QStringLiteral("to"));
    if (settings.to.isEmpty())
        reader.error(QStringLiteral("to"), QStringLiteral("needs at least one mail address"));
    if (settings.to.size() > MaxMailRecipients)
        reader.error(QStringLiteral("to"), QStringLiteral("at most %1 addresses").arg(MaxMailRecipients));
    for (qsizetype i = 0; i < settings.to.size(); ++i) {
        settings.to[i] = settings.to[i].trimmed();
        if (!isValidMailAddress(settings.to[i]))
            reader.error(QStringLiteral("to.%1").arg(i),
                         QStringLiteral("must be a mail address such as ops@example.com"));
    }
    settings.subjectPrefix =
        options.string(QStringLiteral("subject_prefix"), settings.subjectPrefix).simplified().left(100);
    settings.timeoutSeconds = reader.timeoutSeconds(DefaultSmtpTimeoutSeconds, MaxSmtpTimeoutSeconds);
    settings.caFile = reader.caFile();
    settings.verifyTls = options.boolean(QStringLiteral("verify_tls"), true);
    if (errors.list().size() != before)
        return std::nullopt;
    return settings;
}

QString EmailSettings::url() const
{
    const QString host = QHostAddress(server).protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(server)
                             : server;
    const QString scheme = tls == SmtpTls::Implicit ? QStringLiteral("smtps") : QStringLiteral("smtp");
    return QStringLiteral("%1://%2:%3").arg(scheme, host).arg(port);
}

FieldErrors EmailModule::validate(const Alert &alert) const
{
    FieldErrors errors;
    EmailSettings::read(alert, errors);
    return errors;
}

DeliveryResult EmailModule::deliver(const Alert &alert, const AlertNotification &notification,
                                    const DeliveryContext &context) const
{
    FieldErrors errors;
    const std::optional<EmailSettings> settings = EmailSettings::read(alert, errors);
    if (!settings)
        return DeliveryResult::failure(QStringLiteral("the email alert is not configured: ") +
                                       errors.summary());

    MailMessage message;
    message.from = settings->from;
    message.to = settings->to;
    message.subject = settings->subjectPrefix.isEmpty()
                          ? notification.summary()
                          : settings->subjectPrefix + u' ' + notification.summary();
    message.body = notification.textBody() + QStringLiteral("\n-- \nSent by Prophasis.\n");
    message.date = QDateTime::currentDateTimeUtc();
    message.extraHeaders.append(
        {"X-Prophasis-Alert", notification.alertId.toByteArray(QUuid::WithoutBraces)});
    Upload upload{buildMailMessage(message)};

    CurlEasy curl;
    if (curl.isNull())
        return DeliveryResult::failure(QStringLiteral("cannot start libcurl"));
    curl.configure(std::chrono::seconds(settings->timeoutSeconds), settings->caFile, settings->verifyTls,
                   context);
    curl.captureServerReplies();
    CURL *handle = curl.handle();
    const QByteArray url = settings->url().toUtf8();
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(handle, CURLOPT_USE_SSL,
                     long(settings->tls == SmtpTls::None ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    QByteArray username = settings->username.toUtf8();
    QByteArray password = settings->password.toUtf8();
    if (!username.isEmpty()) {
        curl_easy_setopt(handle, CURLOPT_USERNAME, username.constData());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, password.constData());
    }
    const QByteArray mailFrom = '<' + settings->from.toLatin1() + '>';
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, mailFrom.constData());
    curl_slist *recipients = nullptr;
    for (const QString &to : settings->to)
        recipients = curl_slist_append(recipients, ('<' + to.toLatin1() + '>').constData());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, &readUpload);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.data.size()));

    const CURLcode code = curl.perform();
    curl_slist_free_all(recipients);
    password.fill('\0');
    if (code != CURLE_OK)
        return DeliveryResult::failure(curl.wasCancelled() ? curl.errorText(code)
                                                           : describeFailure(*settings, code, curl));
    return DeliveryResult::success();
}

} // namespace prophasis
