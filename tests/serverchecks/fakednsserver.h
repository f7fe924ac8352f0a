#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QUdpSocket>

#include <initializer_list>

// A tiny authoritative DNS server on 127.0.0.1:53 for the DNS check's queries to a given server:
// answers the records it was given, NXDOMAIN for other names. Binding port 53 needs root (or
// CAP_NET_BIND_SERVICE); listen() says whether it could.
namespace prophasis::testing {

class FakeDnsServer : public QObject
{
    Q_OBJECT
public:
    enum Type : quint16
    {
        A = 1,
        NS = 2,
        CNAME = 5,
        MX = 15,
        TXT = 16,
        AAAA = 28,
    };

    bool listen() { return m_socket.bind(QHostAddress::LocalHost, 53); }

    void addA(const QString &name, const QHostAddress &address)
    {
        const quint32 ip = address.toIPv4Address();
        add(name, A, bytes({int(ip >> 24), int(ip >> 16), int(ip >> 8), int(ip)}));
    }
    void addMx(const QString &name, quint16 preference, const QString &exchange)
    {
        add(name, MX, bytes({preference >> 8, preference}) + encodeName(exchange));
    }
    void addTxt(const QString &name, const QByteArray &text) { add(name, TXT, char(text.size()) + text); }
    void addCname(const QString &name, const QString &target) { add(name, CNAME, encodeName(target)); }

    int queries() const { return m_queries; }

    FakeDnsServer()
    {
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
            while (m_socket.hasPendingDatagrams()) {
                QHostAddress sender;
                quint16 port = 0;
                QByteArray query(int(m_socket.pendingDatagramSize()), '\0');
                m_socket.readDatagram(query.data(), query.size(), &sender, &port);
                ++m_queries;
                m_socket.writeDatagram(answer(query), sender, port);
            }
        });
    }

private:
    static QByteArray bytes(std::initializer_list<int> values)
    {
        QByteArray out;
        for (const int value : values)
            out.append(char(value & 0xff));
        return out;
    }

    void add(const QString &name, quint16 type, const QByteArray &data)
    {
        m_records[{name.toLower(), type}].append(data);
        m_names.append(name.toLower());
    }

    static QByteArray encodeName(const QString &name)
    {
        QByteArray out;
        for (const QString &label : name.split(u'.', Qt::SkipEmptyParts))
            out += char(label.size()) + label.toLatin1();
        return out + '\0';
    }

    QByteArray answer(const QByteArray &query) const
    {
        if (query.size() < 12)
            return {};
        // The question: labels up to the root, then type and class.
        qsizetype at = 12;
        QStringList labels;
        while (at < query.size() && query[at] != 0) {
            const int length = quint8(query[at]);
            labels.append(QString::fromLatin1(query.mid(at + 1, length)).toLower());
            at += 1 + length;
        }
        at += 1;
        const quint16 type = quint16((quint8(query[at]) << 8) | quint8(query[at + 1]));
        const QByteArray question = query.mid(12, at + 4 - 12);
        const QString name = labels.join(u'.');
        const QList<QByteArray> records = m_records.value({name, type});
        const bool exists = m_names.contains(name);

        QByteArray reply = query.left(2);    // the id
        reply += char(0x81);                 // a response, recursion desired
        reply += char(exists ? 0x80 : 0x83); // recursion available; NXDOMAIN for unknown names
        reply += bytes({0, 1});              // one question
        reply += bytes({int(records.size() >> 8), int(records.size())});
        reply += QByteArray(4, '\0');
        reply += question;
        for (const QByteArray &data : records) {
            reply += bytes({0xc0, 12}); // the name: a pointer to the question's
            reply += bytes({type >> 8, type, 0, 1, 0, 0, 0, 60});
            reply += bytes({int(data.size() >> 8), int(data.size())}) + data;
        }
        return reply;
    }

    QUdpSocket m_socket;
    QHash<QPair<QString, quint16>, QList<QByteArray>> m_records;
    QStringList m_names;
    int m_queries = 0;
};

} // namespace prophasis::testing
