#pragma once

#include <QPointer>
#include <QStringList>

#include "daemon-core/serverchecks/hostresolver.h"
#include "daemon-core/serverchecks/servercheck.h"

class QDnsLookup;

namespace prophasis {

// DNS check (plugins/server/dns): resolves a name through the system resolver (A, AAAA or any,
// getaddrinfo in HostResolver's threads; an IP address is resolved back to its name), or asks
// one DNS server directly for A, AAAA, MX, TXT, CNAME or NS records (QDnsLookup), and compares
// the answer with the expected values. Value: the resolution time in ms. Metrics: time_total_ms,
// records. A name that does not exist is an answer (status critical); a resolver that does not
// answer is a connection_error. Names under .invalid are answered "no such name" without asking
// anyone (RFC 6761 §6.4).
class DnsCheck : public ServerCheck
{
    Q_OBJECT
public:
    DnsCheck(ServerCheckRequest request, HostResolver *resolver, QObject *parent = nullptr);

    ~DnsCheck() override;

protected:
    void begin() override;
    void cancel() override;
    QString timeoutMessage() const override;

private:
    void onSystemAnswer(const LookupAnswer &answer);
    void onDnsLookupFinished();
    void finishFound(const QStringList &answers);
    void finishNoSuchName(const QString &detail);
    QString recordsText() const;
    QString what() const;

    HostResolver *m_resolver;
    QString m_name;
    QString m_type; // A, AAAA, ANY, MX, TXT, CNAME, NS
    QStringList m_expected;
    QString m_server;
    bool m_reverse = false;
    quint64 m_lookupId = 0;
    QPointer<QDnsLookup> m_dnsLookup;
};

} // namespace prophasis
