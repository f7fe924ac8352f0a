#include <QCoreApplication>

#include "daemon-core/app/corecommands.h"

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("prophasis-core"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    return prophasis::runCoreCommandLine(QCoreApplication::arguments());
}
