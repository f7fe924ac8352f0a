#include "shared/cli/daemonprocess.h"

#include <QLoggingCategory>

#include <sys/stat.h>

namespace prophasis {

void setUpDaemonProcess()
{
    ::umask(077);
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} "
                       "%{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}"
                       "%{if-critical}critical%{endif}%{if-fatal}fatal%{endif} %{category}: %{message}"));
    // QT_LOGGING_RULES, read after these rules, still wins.
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
}

void chooseDaemonEventLoop()
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
}

} // namespace prophasis
