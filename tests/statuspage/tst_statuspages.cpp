#include <QCryptographicHash>
#include <QRegularExpression>
#include <QTest>

#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/servicedetail.h"
#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/statuspage/statuschart.h"
#include "daemon-core/statuspage/statusforms.h"
#include "daemon-core/statuspage/statushtml.h"
#include "daemon-core/statuspage/statuspagecache.h"
#include "daemon-core/statuspage/statuspages.h"
#include "daemon-core/statuspage/statusstyle.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using test::ConfigurationFixture;
using test::FixtureNow;

namespace {

const QString Hostile = QStringLiteral("<script>alert(\"x\")</script>&'");

StatusChrome chrome()
{
    StatusChrome chrome;
    chrome.title = QStringLiteral("Overview");
    chrome.now = FixtureNow;
    return chrome;
}

// What every page must be: a document with our one inline style, no script, no style attribute.
void checkDocument(const QString &html)
{
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral(" style="), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("javascript:"), Qt::CaseInsensitive));
    // The style element holds exactly the sheet the CSP hash admits.
    const qsizetype open = html.indexOf(QStringLiteral("<style>"));
    const qsizetype close = html.indexOf(QStringLiteral("</style>"));
    QVERIFY(open > 0 && close > open);
    const QByteArray sheet = html.mid(open + 7, close - open - 7).toUtf8();
    const QByteArray hash =
        "'sha256-" + QCryptographicHash::hash(sheet, QCryptographicHash::Sha256).toBase64() + "'";
    QCOMPARE(hash, statusStyleHashSource());
    QCOMPARE(html.count(QStringLiteral("<style>")), 1);
}

} // namespace

// The status page's HTML: worst-first order, escaping, every state in words and colour, the
// charts, the empty states, and the pieces of the login's CSRF defence.
class TestStatusPages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyStateHasWordsAndAColour()
    {
        QSet<QString> texts;
        for (const State state : statesWorstFirst()) {
            const QString badge = stateBadge(state);
            QVERIFY(badge.contains(stateText(state)));
            QVERIFY(badge.contains(stateClass(state)));
            QVERIFY2(statusStyleSheet().contains(("." + stateClass(state) + "{--c:#").toUtf8()),
                     qPrintable(stateClass(state)));
            texts.insert(stateText(state));
        }
        QCOMPARE(texts.size(), statesWorstFirst().size());
        QCOMPARE(stateText(State::NoData), QStringLiteral("No data"));
        QCOMPARE(stateClass(State::NoData), QStringLiteral("s-no_data"));
    }

    void escapesEveryMarkupCharacter()
    {
        QCOMPARE(htmlEscape(Hostile),
                 QStringLiteral("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
        QCOMPARE(htmlEscape(QStringLiteral("web-1 · Zürich")), QStringLiteral("web-1 · Zürich"));
    }

    void overviewListsServicesAndHostsWorstFirst()
    {
        ConfigurationFixture f;
        // Alphabetical order is the reverse of severity, so only a worst-first sort passes.
        f.hostInState(QStringLiteral("alpha"), State::NoData);
        f.hostInState(QStringLiteral("bravo"), State::Ok);
        f.hostInState(QStringLiteral("charlie"), State::Unknown);
        f.hostInState(QStringLiteral("delta"), State::Minor);
        f.hostInState(QStringLiteral("echo"), State::Major);
        f.hostInState(QStringLiteral("foxtrot"), State::Critical);
        const QUuid okHost = f.hostInState(QStringLiteral("golf"), State::Ok);
        const QUuid badHost = f.hostInState(QStringLiteral("hotel"), State::Critical);
        f.config.services[f.service({ConfigurationFixture::hostMember(okHost)})].name =
            QStringLiteral("a fine");
        f.config.services[f.service({ConfigurationFixture::hostMember(badHost)})].name =
            QStringLiteral("z broken");
        const StaticHealthSource source(f.config, f.results, FixtureNow);

        const QString html = renderOverviewPage(buildHostsReport(source, FixtureNow),
                                                buildServicesReport(source, FixtureNow), chrome());
        checkDocument(html);
        const QStringList hostOrder{QStringLiteral("foxtrot"), QStringLiteral("hotel"),
                                    QStringLiteral("echo"),    QStringLiteral("delta"),
                                    QStringLiteral("charlie"), QStringLiteral("bravo"),
                                    QStringLiteral("golf"),    QStringLiteral("alpha")};
        const qsizetype hostsStart = html.indexOf(QStringLiteral("id=\"hosts\""));
        QVERIFY(hostsStart > 0);
        qsizetype previous = hostsStart;
        for (const QString &name : hostOrder) {
            const qsizetype at =
                html.indexOf(QStringLiteral("<span class=\"name\">%1<").arg(name), hostsStart);
            QVERIFY2(at > previous, qPrintable(name));
            previous = at;
        }
        const qsizetype broken = html.indexOf(QStringLiteral(">z broken<"));
        const qsizetype fine = html.indexOf(QStringLiteral(">a fine<"));
        QVERIFY(broken > 0 && fine > broken && fine < hostsStart);
        // Counts per state, worst first, in words.
        QVERIFY(html.contains(QStringLiteral("<li class=\"s-critical\">2 Critical</li>")));
        QVERIFY(html.indexOf(QStringLiteral("2 Critical")) < html.indexOf(QStringLiteral("1 Major")));
        QVERIFY(html.contains(QStringLiteral("<li class=\"s-no_data\">1 No data</li>")));
        QVERIFY(html.contains(QStringLiteral("<meta http-equiv=\"refresh\" content=\"30\">")));
        QVERIFY(!html.contains(QStringLiteral("/status/logout"))); // not logged in: anonymous
        StatusChrome loggedIn = chrome();
        loggedIn.loggedIn = true;
        QVERIFY(renderOverviewPage({}, {}, loggedIn).contains(QStringLiteral("href=\"/status/logout\"")));
        QVERIFY(html.contains(
            QStringLiteral("href=\"/status/hosts/%1\"").arg(badHost.toString(QUuid::WithoutBraces))));
    }

    void namesAreEscapedEverywhere()
    {
        ConfigurationFixture f;
        const QUuid host = f.hostInState(Hostile, State::Critical);
        f.config.hosts[host].address = Hostile;
        const QUuid service = f.service({ConfigurationFixture::hostMember(host)});
        f.config.services[service].name = Hostile;
        f.config.services[service].description = Hostile;
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        StatusChrome withUser = chrome();
        withUser.loggedIn = true;

        const QString overview = renderOverviewPage(buildHostsReport(source, FixtureNow),
                                                    buildServicesReport(source, FixtureNow), withUser);
        checkDocument(overview);
        QVERIFY(overview.contains(htmlEscape(Hostile)));

        HostDetail detail = *planHostDetail(source, {.hostId = host}, FixtureNow);
        detail.description = Hostile;
        for (SeriesDetail &series : detail.series) {
            series.checkName = Hostile;
            series.pluginName = Hostile;
            CheckResult latest;
            latest.message = Hostile;
            latest.value = 1.5;
            series.latest = latest;
        }
        checkDocument(renderHostPage(detail, withUser));

        ServiceDetail serviceDetail = *planServiceDetail(source, {.serviceId = service}, FixtureNow);
        serviceDetail.redundancyGroups.append({Hostile, State::Ok, serviceDetail.dependencies});
        checkDocument(renderServicePage(serviceDetail, withUser));

        StatusLoginForm form;
        form.username = Hostile;
        form.notice = Hostile;
        form.next = Hostile;
        checkDocument(renderLoginPage(form));
        checkDocument(renderMessagePage(Hostile, Hostile, withUser));
        const QString logout = renderLogoutPage(Hostile, "token");
        checkDocument(logout);
        QVERIFY(logout.contains(htmlEscape(Hostile)));
        QVERIFY(logout.contains(QStringLiteral("name=\"csrf\" value=\"token\"")));
    }

    void hostPageShowsEachCheckWithValueMessageAgeAndChart()
    {
        ConfigurationFixture f;
        const QUuid host = f.hostInState(QStringLiteral("web1"), State::Minor);
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        HostDetail detail = *planHostDetail(source, {.hostId = host}, FixtureNow);
        detail.from = FixtureNow.addDays(-1);
        detail.to = FixtureNow;
        QCOMPARE(detail.series.size(), 1);
        SeriesDetail &series = detail.series.first();
        CheckResult latest;
        latest.time = FixtureNow.addSecs(-300);
        latest.value = 87.25;
        latest.message = QStringLiteral("/var is 87% full");
        latest.classification = State::Minor;
        series.latest = latest;
        for (int i = 0; i < 10; ++i)
            series.value.range.points.append(
                {FixtureNow.addSecs(-3600 * (10 - i)), 1.0 * i, 2.0 * i, 3.0 * i, 1});

        const QString html = renderHostPage(detail, chrome());
        checkDocument(html);
        QVERIFY(html.contains(QStringLiteral("<b>87.25</b>")));
        QVERIFY(html.contains(QStringLiteral("/var is 87% full")));
        QVERIFY(html.contains(QStringLiteral("5 min ago")));
        QVERIFY(html.contains(QStringLiteral("Result Minor")));
        QCOMPARE(html.count(QStringLiteral("<svg class=\"chart\"")), 1);
    }

    void hostPageWithoutChecksOrResultsSaysSo()
    {
        ConfigurationFixture f;
        const QUuid bare = f.host(QStringLiteral("bare"));
        const QUuid silent = f.hostInState(QStringLiteral("silent"), State::NoData);
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        QVERIFY(renderHostPage(*planHostDetail(source, {.hostId = bare}, FixtureNow), chrome())
                    .contains(QStringLiteral("No checks apply to this host.")));
        const QString html =
            renderHostPage(*planHostDetail(source, {.hostId = silent}, FixtureNow), chrome());
        QVERIFY(html.contains(QStringLiteral("No result yet")));
        QVERIFY(html.contains(QStringLiteral("No values in this period.")));
        QVERIFY(html.contains(QStringLiteral("Newest result never")));
    }

    void chartDrawsAverageOverBand()
    {
        const QDateTime from = FixtureNow.addDays(-1);
        QList<RangePoint> points;
        points.append(RangePoint{from, 1, 2, 3, 1});
        points.append(RangePoint{from.addSecs(43200), 5, 6, 7, 1});
        points.append(RangePoint{FixtureNow.addSecs(-60), 9, 10, 11, 1});
        const QString svg = renderChart(points, from, FixtureNow);
        QVERIFY(svg.startsWith(QStringLiteral("<svg class=\"chart\"")));
        static const QRegularExpression linePoints(
            QStringLiteral("<polyline class=\"line\" points=\"([^\"]*)\""));
        const QRegularExpressionMatch line = linePoints.match(svg);
        QVERIFY(line.hasMatch());
        const QStringList coordinates = line.captured(1).split(u' ');
        QCOMPARE(coordinates.size(), 3);
        // Left to right in time; the newest (highest) value nearest the top.
        const auto x = [&](int i) { return coordinates.at(i).section(u',', 0, 0).toDouble(); };
        const auto y = [&](int i) { return coordinates.at(i).section(u',', 1, 1).toDouble(); };
        QVERIFY(x(0) < x(1) && x(1) < x(2));
        QVERIFY(y(0) > y(1) && y(1) > y(2));
        QVERIFY(svg.contains(QStringLiteral("<polygon class=\"band\"")));
        QVERIFY(svg.contains(QStringLiteral("min 1")) && svg.contains(QStringLiteral("max 11")));

        // One point, a flat series, none.
        QVERIFY(renderChart({RangePoint{from, 4, 4, 4, 1}}, from, FixtureNow)
                    .contains(QStringLiteral("<polyline")));
        QVERIFY(
            !renderChart({{from, 4, 4, 4, 1}, {FixtureNow, 4, 4, 4, 1}}, from, FixtureNow).contains(u"nan"));
        QCOMPARE(renderChart({}, from, FixtureNow),
                 QStringLiteral("<p class=\"meta\">No values in this period.</p>"));
    }

    void emptyOverviewSaysNothingIsSetUp()
    {
        const StaticHealthSource source(Configuration{}, LatestResults{}, FixtureNow);
        const QString html = renderOverviewPage(buildHostsReport(source, FixtureNow),
                                                buildServicesReport(source, FixtureNow), chrome());
        checkDocument(html);
        QVERIFY(html.contains(QStringLiteral("No hosts are set up.")));
        QVERIFY(html.contains(QStringLiteral("No services are set up.")));
    }

    void servicePageShowsStructureWithEachMembersHealth()
    {
        ConfigurationFixture f;
        const QUuid db = f.hostInState(QStringLiteral("db1"), State::Ok);
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Ok);
        const QUuid web2 = f.hostInState(QStringLiteral("web2"), State::Critical);
        const QUuid service =
            f.service({ConfigurationFixture::hostMember(db)},
                      {{ConfigurationFixture::hostMember(web1), ConfigurationFixture::hostMember(web2)}});
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        const QString html =
            renderServicePage(*planServiceDetail(source, {.serviceId = service}, FixtureNow), chrome());
        checkDocument(html);
        QVERIFY(html.contains(QStringLiteral("Dependencies")));
        QVERIFY(html.contains(QStringLiteral("<section class=\"group s-degraded\">")));
        QVERIFY(html.contains(
            QStringLiteral("href=\"/status/hosts/%1\"").arg(web2.toString(QUuid::WithoutBraces))));
        QVERIFY(html.indexOf(QStringLiteral(">db1<")) < html.indexOf(QStringLiteral("Redundancy groups")));
    }

    void loginPageNeverRefreshesAndCarriesItsToken()
    {
        StatusLoginForm form;
        form.formToken = "abc_-123";
        form.next = QStringLiteral("/status/hosts/x");
        form.notice = QStringLiteral("Wrong user name or password.");
        const QString html = renderLoginPage(form);
        checkDocument(html);
        QVERIFY(!html.contains(QStringLiteral("http-equiv=\"refresh\"")));
        QVERIFY(html.contains(QStringLiteral("name=\"csrf\" value=\"abc_-123\"")));
        QVERIFY(html.contains(QStringLiteral("name=\"next\" value=\"/status/hosts/x\"")));
        QVERIFY(html.contains(QStringLiteral("autocomplete=\"current-password\"")));
    }

    void formTokensAreBoundToPurposeAndBinding()
    {
        const QByteArray nonce = StatusFormTokens::newNonce();
        QVERIFY(nonce.size() >= 43);
        QVERIFY(nonce != StatusFormTokens::newNonce());
        const QByteArray token = StatusFormTokens::token("login", nonce);
        QVERIFY(StatusFormTokens::verify("login", nonce, token));
        QVERIFY(!StatusFormTokens::verify("logout", nonce, token));
        QVERIFY(!StatusFormTokens::verify("login", StatusFormTokens::newNonce(), token));
        QVERIFY(!StatusFormTokens::verify("login", nonce, token.left(token.size() - 1)));
        QVERIFY(!StatusFormTokens::verify("login", "", StatusFormTokens::token("login", "")));
        QVERIFY(!StatusFormTokens::verify("login", nonce, ""));
    }

    void formsCookiesAndOriginsAreReadStrictly()
    {
        HttpRequest request;
        request.headers = {{"Host", "core.example:4049"},
                           {"Cookie", "other=1; prophasis_status=abc.def; prophasis_status_login=n0nce"},
                           {"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}};
        QCOMPARE(requestCookie(request, StatusSessionCookie), QByteArray("abc.def"));
        QCOMPARE(requestCookie(request, StatusLoginCookie), QByteArray("n0nce"));
        QVERIFY(requestCookie(request, "prophasis").isEmpty());

        request.body = "username=J%C3%BCrg+M&password=a%26b%3Dc&csrf=";
        const auto form = readForm(request);
        QVERIFY(form);
        QCOMPARE(form->value(QStringLiteral("username")), QStringLiteral("Jürg M"));
        QCOMPARE(form->value(QStringLiteral("password")), QStringLiteral("a&b=c"));
        request.body = "username=a&username=b";
        QVERIFY(!readForm(request));
        request.body = "username=" + QByteArray(MaxFormFieldLength + 1, 'a');
        QVERIFY(!readForm(request));
        HttpRequest json = request;
        json.headers = {{"Content-Type", "application/json"}};
        json.body = "username=a";
        QVERIFY(!readForm(json));

        QVERIFY(!isSameOrigin(request)); // neither Origin nor Referer
        request.headers.append({QByteArray("Origin"), "https://core.example:4049"});
        QVERIFY(isSameOrigin(request));
        request.headers.last().second = "https://evil.example";
        QVERIFY(!isSameOrigin(request));
        request.headers.last().second = "null";
        QVERIFY(!isSameOrigin(request));
        request.headers.last().second = "http://core.example:4049";
        QVERIFY(!isSameOrigin(request));
        request.headers.removeLast();
        request.headers.append({QByteArray("Referer"), "https://core.example:4049/status/login"});
        QVERIFY(isSameOrigin(request));
        request.headers.last().second = "https://core.example:40490/status/login";
        QVERIFY(!isSameOrigin(request));

        QCOMPARE(safeStatusPath(QStringLiteral("/status/hosts/0b7d")), QStringLiteral("/status/hosts/0b7d"));
        for (const char *bad : {"//evil.example/status", "https://evil.example", "/statusx",
                                "/status/../api/v1", "/status/a b", "/api/v1/hosts", ""})
            QCOMPARE(safeStatusPath(QString::fromLatin1(bad)), QStringLiteral("/status"));

        QCOMPARE(statusCookie(StatusSessionCookie, "t", -1),
                 QByteArray("prophasis_status=t; HttpOnly; Secure; SameSite=Strict; Path=/status"));
        QVERIFY(statusCookie(StatusSessionCookie, "", 0).endsWith("; Max-Age=0"));
    }

    void pageCacheIsBoundedAndAnswersPlainOrCompressed()
    {
        StatusPageCache cache(60'000, 2);
        QVERIFY(!cache.find(QStringLiteral("/status")));
        const QByteArray html = QByteArray("<!DOCTYPE html><p>") + QByteArray(4000, 'x');
        cache.store(QStringLiteral("/status"), html);
        cache.store(QStringLiteral("/status/hosts/a"), "<p>a");
        QVERIFY(cache.find(QStringLiteral("/status")));
        QCOMPARE(cache.find(QStringLiteral("/status/hosts/a"))->html, QByteArray("<p>a"));
        // Full of fresh pages: a third starts again rather than growing.
        cache.store(QStringLiteral("/status/hosts/b"), "<p>b");
        QVERIFY(!cache.find(QStringLiteral("/status")));
        QVERIFY(cache.find(QStringLiteral("/status/hosts/b")));

        const StatusPageCache::Page &page = cache.store(QStringLiteral("/status"), html);
        QVERIFY(page.gzip.startsWith("\x1f\x8b"));
        QVERIFY(page.gzip.size() < html.size() / 10);
        HttpRequest request;
        HttpResponse plain = StatusPageCache::response(request, page);
        QCOMPARE(plain.body, html);
        QVERIFY(plain.header("Content-Encoding").isEmpty());
        QCOMPARE(plain.header("Vary"), QByteArray("Accept-Encoding"));
        QVERIFY(plain.header("Content-Security-Policy").startsWith("default-src 'none'"));
        request.headers = {{"Accept-Encoding", "gzip, deflate, br"}};
        const HttpResponse compressed = StatusPageCache::response(request, page);
        QCOMPARE(compressed.header("Content-Encoding"), QByteArray("gzip"));
        QCOMPARE(compressed.body, page.gzip);
    }

    void valuesAndAgesReadNaturally()
    {
        QCOMPARE(valueText(87.25), QStringLiteral("87.25"));
        QCOMPARE(valueText(100), QStringLiteral("100"));
        QCOMPARE(valueText(12345678901.0), QStringLiteral("12345678901"));
        QCOMPARE(valueText(0.000012), QStringLiteral("1.2e-05"));
        QCOMPARE(ageText(FixtureNow.addSecs(-30), FixtureNow), QStringLiteral("just now"));
        QCOMPARE(ageText(FixtureNow.addSecs(-7200), FixtureNow), QStringLiteral("2 h ago"));
        QCOMPARE(ageText(FixtureNow.addDays(-3), FixtureNow), QStringLiteral("3 d ago"));
        QCOMPARE(ageText({}, FixtureNow), QStringLiteral("never"));
    }
};

QTEST_GUILESS_MAIN(TestStatusPages)
#include "tst_statuspages.moc"
