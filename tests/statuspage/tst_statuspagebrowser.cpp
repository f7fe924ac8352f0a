#include <QCoreApplication>
#include <QTest>
#include <QtConcurrent>

#include <functional>

#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/statuspage/statusroutes.h"
#include "tests/api/apitestserver.h"
#include "tests/statuspage/chromiumpipe.h"
#include "tests/statuspage/statuspageserver.h"

using namespace prophasis;
using test::ChromiumPipe;
using test::StatusShop;

namespace {

struct Viewport
{
    int width;
    int height;
    bool mobile;
};
constexpr Viewport Phone{390, 844, true};
constexpr Viewport Desktop{1366, 768, false};

// One tab of the browser: navigate, evaluate, resize, take pictures.
class BrowserTab
{
public:
    explicit BrowserTab(ChromiumPipe &browser)
        : m_browser(browser)
    {
        const QString target = browser
                                   .call(QStringLiteral("Target.createTarget"),
                                         {{QStringLiteral("url"), QStringLiteral("about:blank")}})
                                   .value(QStringLiteral("targetId"))
                                   .toString();
        m_session = browser
                        .call(QStringLiteral("Target.attachToTarget"),
                              {{QStringLiteral("targetId"), target}, {QStringLiteral("flatten"), true}})
                        .value(QStringLiteral("sessionId"))
                        .toString();
        call(QStringLiteral("Page.enable"));
    }

    QJsonObject call(const QString &method, const QJsonObject &params = {})
    {
        return m_browser.call(method, params, m_session);
    }

    void resize(const Viewport &viewport)
    {
        call(QStringLiteral("Emulation.setDeviceMetricsOverride"),
             {{QStringLiteral("width"), viewport.width},
              {QStringLiteral("height"), viewport.height},
              {QStringLiteral("deviceScaleFactor"), 1},
              {QStringLiteral("mobile"), viewport.mobile}});
    }

    void navigate(const QString &url)
    {
        afterLoad([&] { call(QStringLiteral("Page.navigate"), {{QStringLiteral("url"), url}}); });
    }

    // Runs `action` (a navigation, a form submitted) and waits until the page it leads to loaded.
    void afterLoad(const std::function<void()> &action)
    {
        m_browser.clearEvents();
        action();
        m_browser.waitForEvent(QStringLiteral("Page.loadEventFired"));
    }

    void waitForLoad() { m_browser.waitForEvent(QStringLiteral("Page.loadEventFired")); }

    QJsonValue evaluate(const QString &expression)
    {
        const QJsonObject result =
            call(QStringLiteral("Runtime.evaluate"),
                 {{QStringLiteral("expression"), expression}, {QStringLiteral("returnByValue"), true}});
        if (result.contains(QStringLiteral("exceptionDetails")))
            throw QStringLiteral("%1 threw: %2")
                .arg(expression,
                     QString::fromUtf8(
                         QJsonDocument(result.value(QStringLiteral("exceptionDetails")).toObject())
                             .toJson(QJsonDocument::Compact)));
        return result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value"));
    }

    QString path() { return evaluate(QStringLiteral("location.pathname")).toString(); }
    int scrollWidth() { return evaluate(QStringLiteral("document.documentElement.scrollWidth")).toInt(); }

    void screenshot(const QString &file)
    {
        const QByteArray png =
            QByteArray::fromBase64(call(QStringLiteral("Page.captureScreenshot"),
                                        {{QStringLiteral("format"), QStringLiteral("png")}})
                                       .value(QStringLiteral("data"))
                                       .toString()
                                       .toLatin1());
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(png) != png.size())
            throw QStringLiteral("cannot write %1").arg(file);
    }

private:
    ChromiumPipe &m_browser;
    QString m_session;
};

// Where the screenshots go: the build folder, or PROPHASIS_SCREENSHOT_DIR (docs/images, through
// tests/statuspage/update-screenshots.sh) so a test run never changes the source tree by itself.
QString screenshotDir()
{
    QString dir = qEnvironmentVariable("PROPHASIS_SCREENSHOT_DIR");
    if (dir.isEmpty())
        dir = QCoreApplication::applicationDirPath() + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    return dir;
}

} // namespace

// The status page in a real headless Chromium at phone (390 × 844) and desktop (1366 × 768)
// size: it asks for a login (unless anonymous), the login form works with its CSRF defences in
// a real browser, lists are worst first, nothing scrolls sideways on a phone, the inline style
// passes the CSP; screenshots for the docs. SQLite only: the browser's side does not depend on
// the database, which the HTTP test covers on both.
class TestStatusPageBrowser : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    test::StatusPageServer m_server;

    void startServer(bool anonymous)
    {
        QString error;
        QVERIFY2(m_server.start(*m_testDatabase, this, 24, anonymous, &error), qPrintable(error));
    }

    QString url(const QString &path) const
    {
        return QStringLiteral("https://127.0.0.1:%1%2").arg(m_server.api->port()).arg(path);
    }

    // Runs the browser's part on a worker thread while this thread serves the pages; returns
    // the error the part threw, empty when it went through.
    QString inBrowser(const std::function<void(ChromiumPipe &)> &script)
    {
        QFuture<QString> done = QtConcurrent::run([script] {
            ChromiumPipe browser;
            QString error;
            if (!browser.start(&error))
                return error;
            try {
                script(browser);
            } catch (const QString &thrown) {
                return thrown;
            }
            return QString();
        });
        while (!done.isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return done.result();
    }

    static QStringList firstHostNames(BrowserTab &tab, int count)
    {
        const QJsonArray names =
            QJsonDocument::fromJson(
                tab.evaluate(QStringLiteral("JSON.stringify([...document.querySelectorAll("
                                            "'#hosts .name')].slice(0, %1).map(e => "
                                            "e.firstChild.textContent))")
                                 .arg(count))
                    .toString()
                    .toUtf8())
                .array();
        QStringList list;
        for (const QJsonValue &name : names)
            list.append(name.toString());
        return list;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!ChromiumPipe::available())
            QSKIP("no /usr/bin/chromium (Debian package chromium; scripts/deps.sh --test installs it)");
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("statuspagebrowser"));
    }

    void cleanup()
    {
        m_server.api.reset();
        m_server.health.reset();
    }

    void phoneAndDesktopWithLogin()
    {
        startServer(false);
        struct Seen
        {
            QString firstPath, afterLogin, afterLogout, headerColour, hostileHeading, fromElsewhere,
                fromElsewhereTitle;
            QStringList worstFirst;
            int loginWidth = 0, overviewWidth = 0, hostWidth = 0, serviceWidth = 0, desktopWidth = 0;
            int charts = 0, scripts = -1;
        } seen;
        const QString dir = screenshotDir();
        const QString host =
            url(QStringLiteral("/status/hosts/") + m_server.shop.chartHost.toString(QUuid::WithoutBraces));
        const QString hostile =
            url(QStringLiteral("/status/hosts/") + m_server.shop.hostileHost.toString(QUuid::WithoutBraces));
        const QString service =
            url(QStringLiteral("/status/services/") + m_server.shop.webShop.toString(QUuid::WithoutBraces));
        const QString overview = url(QStringLiteral("/status"));
        const int named = int(m_server.shop.worstFirstNames.size());

        const QString error = inBrowser([&](ChromiumPipe &browser) {
            BrowserTab tab(browser);
            tab.resize(Phone);
            tab.navigate(overview);
            seen.firstPath = tab.path();
            seen.loginWidth = tab.scrollWidth();
            tab.screenshot(dir + QStringLiteral("/status-login-phone.png"));
            // Typed and submitted as a person would: the browser sends its own Origin, cookie
            // and the form's token.
            tab.afterLoad([&] {
                tab.evaluate(QStringLiteral("document.getElementById('username').value = 'viewer';"
                                            "document.getElementById('password').value = %1;"
                                            "document.querySelector('form.login').submit(); true")
                                 .arg(QString::fromUtf8(QJsonDocument(QJsonArray{test::ViewerPassword})
                                                            .toJson(QJsonDocument::Compact))
                                          .mid(1)
                                          .chopped(1)));
            });
            seen.afterLogin = tab.path();
            seen.worstFirst = firstHostNames(tab, named);
            seen.overviewWidth = tab.scrollWidth();
            seen.headerColour =
                tab.evaluate(
                       QStringLiteral("getComputedStyle(document.querySelector('header')).backgroundColor"))
                    .toString();
            tab.screenshot(dir + QStringLiteral("/status-overview-phone.png"));

            tab.navigate(host);
            seen.hostWidth = tab.scrollWidth();
            seen.charts =
                tab.evaluate(QStringLiteral("document.querySelectorAll('svg.chart').length")).toInt();
            tab.screenshot(dir + QStringLiteral("/status-host-phone.png"));

            // A link to the host page followed from another site (an alert e-mail): the browser
            // holds back the SameSite=Strict cookie, the page reloads itself from here and then
            // has it, so a logged-in viewer is not asked to log in again.
            tab.navigate(QStringLiteral("data:text/html,<a id=\"link\" href=\"%1\">alert</a>").arg(host));
            tab.afterLoad(
                [&] { tab.evaluate(QStringLiteral("document.getElementById('link').click(); true")); });
            // The reload may already be under way while the first page is asked for its title.
            for (int loads = 0; loads < 3; ++loads) {
                QString title;
                try {
                    title = tab.evaluate(QStringLiteral("document.title")).toString();
                } catch (const QString &) {
                    title = QStringLiteral("Prophasis");
                }
                if (title != QStringLiteral("Prophasis"))
                    break;
                tab.waitForLoad();
            }
            seen.fromElsewhere = tab.path();
            seen.fromElsewhereTitle = tab.evaluate(QStringLiteral("document.title")).toString();

            tab.navigate(hostile);
            seen.hostileHeading =
                tab.evaluate(QStringLiteral("document.querySelector('h1').textContent")).toString();
            seen.scripts = tab.evaluate(QStringLiteral("document.scripts.length")).toInt();

            tab.navigate(service);
            seen.serviceWidth = tab.scrollWidth();
            tab.screenshot(dir + QStringLiteral("/status-service-phone.png"));

            tab.resize(Desktop);
            tab.navigate(overview);
            seen.desktopWidth = tab.scrollWidth();
            tab.screenshot(dir + QStringLiteral("/status-overview-desktop.png"));
            tab.navigate(host);
            tab.screenshot(dir + QStringLiteral("/status-host-desktop.png"));

            tab.afterLoad([&] {
                tab.evaluate(QStringLiteral("document.querySelector('header a.button').click(); true"));
            });
            tab.afterLoad([&] {
                tab.evaluate(QStringLiteral("document.querySelector('main form button').click(); true"));
            });
            seen.afterLogout = tab.path();
        });
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QCOMPARE(seen.firstPath, QStringLiteral("/status/login"));
        QCOMPARE(seen.afterLogin, QStringLiteral("/status"));
        QCOMPARE(seen.worstFirst, m_server.shop.worstFirstNames);
        QCOMPARE(seen.headerColour, QStringLiteral("rgb(27, 31, 39)")); // the CSP let our style in
        for (const int width : {seen.loginWidth, seen.overviewWidth, seen.hostWidth, seen.serviceWidth})
            QVERIFY2(width > 0 && width <= Phone.width, qPrintable(QString::number(width)));
        QVERIFY(seen.desktopWidth <= Desktop.width);
        QCOMPARE(seen.charts, 3);
        QCOMPARE(seen.fromElsewhere, QUrl(host).path());
        QCOMPARE(seen.fromElsewhereTitle, QStringLiteral("web-01 · Prophasis"));
        QCOMPARE(seen.hostileHeading, StatusShop::HostileName);
        QCOMPARE(seen.scripts, 0);
        QCOMPARE(seen.afterLogout, QStringLiteral("/status/login"));
    }

    void anonymousModeNeedsNoLogin()
    {
        startServer(true);
        QString path;
        QStringList worstFirst;
        const int named = int(m_server.shop.worstFirstNames.size());
        const QString overview = url(QStringLiteral("/status"));
        const QString error = inBrowser([&](ChromiumPipe &browser) {
            BrowserTab tab(browser);
            tab.resize(Phone);
            tab.navigate(overview);
            path = tab.path();
            worstFirst = firstHostNames(tab, named);
        });
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(path, QStringLiteral("/status"));
        QCOMPARE(worstFirst, m_server.shop.worstFirstNames);
    }
};

QTEST_GUILESS_MAIN(TestStatusPageBrowser)
#include "tst_statuspagebrowser.moc"
