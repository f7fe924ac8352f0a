#include <QCoreApplication>

#include "daemon-core/app/corecommands.h"
#include "shared/cli/daemonprocess.h"

int main(int argc, char *argv[])
{
    prophasis::chooseDaemonEventLoop();
    QCoreApplication app(argc, argv);
    prophasis::setUpDaemonProcess();
    QCoreApplication::setApplicationName(QStringLiteral("prophasis-core"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    return prophasis::runCoreCommandLine(QCoreApplication::arguments());
}
