#include "daemon-core/serverchecks/dnscheck.h"

#include <QDnsLookup>

#include "daemon-core/serverchecks/checkarguments.h"

namespace prophasis {

using namespace serverchecks;

namespace {

const QStringList SystemTypes = {QStringLiteral("A"), QStringLiteral("AAAA"), QStringLiteral("ANY")};
const QStringList ServerTypes = {QStringLiteral("A"),   QStringLiteral("AAAA"),  QStringLiteral("MX"),
                                 QStringLiteral("TXT"), QStringLiteral("CNAME"), QStringLiteral("NS")};

// Names compare without case and without the root's trailing dot; addresses in their canonical form.
QString canonical(const QString &value)
{
    const QHostAddress address(value);
    if (!address.isNull())
        return address.toString();
    QString name = value.trimmed().toLower();
    if (name.endsWith(u'.'))
        name.chop(1);
    return name;
}

bool isUnderInvalid(const QString &name)
{
    const QString canonicalName = canonical(name);
    return canonicalName == QLatin1String("invalid") || canonicalName.endsWith(QLatin1String(".invalid"));
}

QDnsLookup::Type dnsType(const QString &type)
{
    if (type == QLatin1String("AAAA"))
        return QDnsLookup::AAAA;
    if (type == QLatin1String("MX"))
        return QDnsLookup::MX;
    if (type == QLatin1String("TXT"))
        return QDnsLookup::TXT;
    if (type == QLatin1String("CNAME"))
        return QDnsLookup::CNAME;
    if (type == QLatin1String("NS"))
        return QDnsLookup::NS;
    return QDnsLookup::A;
}

} // namespace

DnsCheck::DnsCheck(ServerCheckRequest request, HostResolver *resolver, QObject *parent)
    : ServerCheck(std::move(request), parent)
    , m_resolver(resolver)
{
}

DnsCheck::~DnsCheck()
{
    cancel();
}

QString DnsCheck::recordsText() const
{
    if (m_reverse)
        return QStringLiteral("reverse name");
    return m_type == QLatin1String("ANY") ? QStringLiteral("addresses") : m_type + QStringLiteral(" records");
}

QString DnsCheck::what() const
{
    return m_reverse ? QStringLiteral("the name of %1").arg(m_name)
                     : QStringLiteral("%1 of %2").arg(recordsText(), m_name);
}

void DnsCheck::begin()
{
    const QJsonObject &arguments = m_request.arguments;
    m_name = fillPlaceholders(stringArgument(arguments, QStringLiteral("name"), QStringLiteral("{address}")),
                              m_request.target, PlaceholderUse::Plain)
                 .trimmed();
    m_type =
        stringArgument(arguments, QStringLiteral("record_type"), QStringLiteral("ANY")).trimmed().toUpper();
    m_server = stringArgument(arguments, QStringLiteral("server")).trimmed();
    for (const QString &value :
         stringArgument(arguments, QStringLiteral("expected")).split(u',', Qt::SkipEmptyParts)) {
        if (!value.trimmed().isEmpty())
            m_expected.append(canonical(value));
    }
    if (m_name.isEmpty()) {
        fail(ResultType::RequestError, QStringLiteral("name is empty: give the name to resolve"));
        return;
    }
    const QStringList &types = m_server.isEmpty() ? SystemTypes + ServerTypes : ServerTypes;
    if (!types.contains(m_type)) {
        fail(ResultType::RequestError,
             m_server.isEmpty()
                 ? QStringLiteral("record_type must be one of A, AAAA, ANY, MX, TXT, CNAME, NS")
                 : QStringLiteral("record_type must be one of A, AAAA, MX, TXT, CNAME, NS when a "
                                  "server is given (servers may refuse ANY)"));
        return;
    }
    QHostAddress serverAddress;
    if (!m_server.isEmpty() && !serverAddress.setAddress(m_server)) {
        fail(ResultType::RequestError, QStringLiteral("server: '%1' is not an IP address").arg(m_server));
        return;
    }
    if (isUnderInvalid(m_name)) {
        finishNoSuchName(QStringLiteral("names under .invalid never exist (RFC 6761); nobody was asked"));
        return;
    }
    if (m_server.isEmpty() && SystemTypes.contains(m_type)) {
        LookupQuery query;
        const QHostAddress literal(m_name);
        if (!literal.isNull()) {
            m_reverse = true;
            query.address = literal;
        } else {
            query.name = m_name;
            query.family = m_type == QLatin1String("A")      ? LookupQuery::Family::V4
                           : m_type == QLatin1String("AAAA") ? LookupQuery::Family::V6
                                                             : LookupQuery::Family::Any;
        }
        m_lookupId =
            m_resolver->lookup(query, [this](const LookupAnswer &answer) { onSystemAnswer(answer); });
        return;
    }
    m_dnsLookup = new QDnsLookup(dnsType(m_type), m_name, this);
    if (!serverAddress.isNull())
        m_dnsLookup->setNameserver(serverAddress);
    connect(m_dnsLookup, &QDnsLookup::finished, this, &DnsCheck::onDnsLookupFinished);
    m_dnsLookup->lookup();
}

void DnsCheck::cancel()
{
    if (m_lookupId != 0) {
        m_resolver->cancel(m_lookupId);
        m_lookupId = 0;
    }
    if (QDnsLookup *lookup = m_dnsLookup) {
        m_dnsLookup = nullptr;
        disconnect(lookup, nullptr, this, nullptr);
        lookup->abort();
        lookup->deleteLater();
    }
}

void DnsCheck::onSystemAnswer(const LookupAnswer &answer)
{
    m_lookupId = 0;
    switch (answer.outcome) {
    case LookupAnswer::Outcome::Found: {
        QStringList values;
        if (m_reverse) {
            values.append(answer.name);
        } else {
            for (const QHostAddress &address : answer.addresses)
                values.append(address.toString());
        }
        finishFound(values);
        return;
    }
    case LookupAnswer::Outcome::NoSuchName:
        finishNoSuchName(answer.error);
        return;
    case LookupAnswer::Outcome::Failed:
        fail(ResultType::ConnectionError,
             QStringLiteral("the resolver gave no answer for %1: %2").arg(what(), answer.error));
        return;
    }
}

void DnsCheck::onDnsLookupFinished()
{
    QDnsLookup *lookup = m_dnsLookup;
    if (!lookup || isFinished())
        return;
    const QString asked = m_server.isEmpty() ? QStringLiteral("the resolver") : m_server;
    switch (lookup->error()) {
    case QDnsLookup::NoError:
        break;
    case QDnsLookup::NotFoundError:
        finishNoSuchName(lookup->errorString());
        return;
    default:
        fail(ResultType::ConnectionError,
             QStringLiteral("%1 gave no answer for %2: %3").arg(asked, what(), lookup->errorString()));
        return;
    }
    QStringList values;
    for (const QDnsHostAddressRecord &record : lookup->hostAddressRecords())
        values.append(record.value().toString());
    for (const QDnsMailExchangeRecord &record : lookup->mailExchangeRecords())
        values.append(QStringLiteral("%1 %2").arg(record.preference()).arg(record.exchange()));
    for (const QDnsTextRecord &record : lookup->textRecords()) {
        QStringList parts;
        for (const QByteArray &part : record.values())
            parts.append(QString::fromUtf8(part));
        values.append(parts.join(QString()));
    }
    for (const QDnsDomainNameRecord &record : lookup->canonicalNameRecords())
        values.append(record.value());
    for (const QDnsDomainNameRecord &record : lookup->nameServerRecords())
        values.append(record.value());
    finishFound(values);
}

void DnsCheck::finishFound(const QStringList &answers)
{
    const double ms = elapsedMsPrecise();
    const QList<Metric> metrics = {
        {QStringLiteral("time_total_ms"), ms, QStringLiteral("ms")},
        {QStringLiteral("records"), double(answers.size()), QString()},
    };
    QSet<QString> present;
    for (const QString &answer : answers) {
        present.insert(canonical(answer));
        // An MX answer matches by its exchange alone too.
        if (m_type == QLatin1String("MX"))
            present.insert(canonical(answer.section(u' ', 1)));
    }
    QStringList missing;
    for (const QString &expected : m_expected) {
        if (!present.contains(expected))
            missing.append(expected);
    }
    const QString verb = m_reverse ? QStringLiteral("resolves back to") : QStringLiteral("resolves to");
    const QString answerText =
        answers.isEmpty() ? QStringLiteral("nothing") : answers.join(QStringLiteral(", "));
    QString message = m_reverse || SystemTypes.contains(m_type)
                          ? QStringLiteral("%1 %2 %3 in %4").arg(m_name, verb, answerText, formatMs(ms))
                          : QStringLiteral("%1 %2: %3 in %4").arg(m_type, m_name, answerText, formatMs(ms));
    if (!m_server.isEmpty())
        message += QStringLiteral(" (asked %1)").arg(m_server);
    if (answers.isEmpty()) {
        succeed(ms, message, metrics, PluginStatus::Critical);
        return;
    }
    if (!missing.isEmpty()) {
        message += QStringLiteral(", but not to the expected %1").arg(missing.join(QStringLiteral(", ")));
        succeed(ms, message, metrics, PluginStatus::Critical);
        return;
    }
    succeed(ms, message, metrics);
}

void DnsCheck::finishNoSuchName(const QString &detail)
{
    const double ms = elapsedMsPrecise();
    succeed(ms, QStringLiteral("%1: no %2 (%3)").arg(m_name, recordsText(), detail),
            {{QStringLiteral("time_total_ms"), ms, QStringLiteral("ms")},
             {QStringLiteral("records"), 0, QString()}},
            PluginStatus::Critical);
}

QString DnsCheck::timeoutMessage() const
{
    const QString asked = m_server.isEmpty() ? QStringLiteral("the resolver") : m_server;
    return QStringLiteral("%1 gave no answer for %2 within %3").arg(asked, what(), timeoutText());
}

} // namespace prophasis
