// The baseline for bench_agent: the smallest HTTPS server Qt's TLS stack allows — QSslServer,
// the agent's kind of key and TLS settings, client certificates requested, every request answered
// with a fixed small JSON body on a kept-alive connection. What the agent costs beyond this is
// what our own code costs; what this costs is the price of Qt + OpenSSL on this machine.
//
// Usage: tls_floor_server PORT   (prints "listening <SPKI SHA-256 of its key>" when ready)
#include <QCoreApplication>
#include <QSslServer>
#include <QSslSocket>
#include <QTextStream>

#include "shared/cli/daemonprocess.h"
#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"

using namespace prophasis;

int main(int argc, char *argv[])
{
    chooseDaemonEventLoop();
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    QTextStream out(stdout);
    if (arguments.size() != 2) {
        out << "usage: tls_floor_server PORT\n";
        return 2;
    }
    const TlsIdentity identity =
        TlsIdentity::generate(QStringLiteral("floor"), {QStringLiteral("127.0.0.1")});
    QSslServer server;
    server.setSslConfiguration(serverTlsConfiguration(identity, true));
    if (!server.listen(QHostAddress::LocalHost, quint16(arguments.at(1).toUInt()))) {
        out << "cannot listen: " << server.errorString() << '\n';
        return 1;
    }
    QObject::connect(&server, &QSslServer::pendingConnectionAvailable, [&server] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer] {
                buffer->append(socket->readAll());
                for (qsizetype end = buffer->indexOf("\r\n\r\n"); end >= 0;
                     end = buffer->indexOf("\r\n\r\n")) {
                    buffer->remove(0, end + 4);
                    static const QByteArray body = R"({"version":"0.0.0","os":"linux","uptime_seconds":1})";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                }
            });
        }
    });
    out << "listening " << spkiSha256(identity.certificate) << '\n';
    out.flush();
    return QCoreApplication::exec();
}
