#include <QApplication>
#include <QCommandLineParser>

#include "console/app/mainwindow.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("prophasis-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Prophasis"));
    QApplication::setApplicationVersion(QStringLiteral(PROPHASIS_VERSION));
    QApplication::setOrganizationName(QStringLiteral("Prophasis"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Prophasis console: manage and watch your monitoring."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    prophasis::MainWindow window;
    window.show();
    return QApplication::exec();
}
