#include <QRegularExpression>
#include <QTest>
#include <QUrl>

#include <zlib.h>

#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/statuspage/statusroutes.h"
#include "tests/api/apitestserver.h"
#include "tests/statuspage/statuspageserver.h"

using namespace prophasis;
using test::HttpsAnswer;
using test::StatusShop;
using Headers = QList<std::pair<QByteArray, QByteArray>>;

namespace {

// Every Set-Cookie of an answer, as sent.
QList<QByteArray> setCookies(const HttpsAnswer &answer)
{
    QList<QByteArray> cookies;
    for (const QByteArray &line : answer.head.split('\n')) {
        if (line.startsWith("Set-Cookie:") || line.startsWith("set-cookie:"))
            cookies.append(line.mid(11).trimmed());
    }
    return cookies;
}

// The value a Set-Cookie gives cookie `name`; nullopt when the answer does not set it.
std::optional<QByteArray> cookieValue(const HttpsAnswer &answer, const QByteArray &name)
{
    for (const QByteArray &cookie : setCookies(answer)) {
        if (cookie.startsWith(name + '='))
            return cookie.mid(name.size() + 1).split(';').first();
    }
    return std::nullopt;
}

QByteArray formField(const QByteArray &html, const QString &name)
{
    const QRegularExpression field(QStringLiteral("name=\"%1\" value=\"([^\"]*)\"").arg(name));
    return field.match(QString::fromUtf8(html)).captured(1).toUtf8();
}

QByteArray formBody(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

QByteArray gunzip(const QByteArray &data)
{
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK)
        return {};
    QByteArray out;
    char chunk[65536];
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    int result = Z_OK;
    while (result == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(chunk);
        stream.avail_out = sizeof chunk;
        result = inflate(&stream, Z_NO_FLUSH);
        out.append(chunk, qsizetype(sizeof chunk - stream.avail_out));
    }
    inflateEnd(&stream);
    return result == Z_STREAM_END ? out : QByteArray();
}

} // namespace

// The status page over real TLS on loopback with the real authenticator and a real database
// (SQLite and PostgreSQL: the host page reads stored history): the login and its cookie, wrong
// passwords, CSRF refusals, logout, anonymous mode, the security headers and escaping.
class TestStatusPageHttp : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    test::StatusPageServer m_server;

    // Starts a server with the status page; anonymous or not.
    void startServer(bool anonymous)
    {
        QString error;
        QVERIFY2(m_server.start(*m_testDatabase, this, 20, anonymous, &error), qPrintable(error));
    }

    HttpsAnswer get(const QByteArray &target, const QByteArray &session = {})
    {
        Headers headers;
        if (!session.isEmpty())
            headers.append({"Cookie", "prophasis_status=" + session});
        return m_server.api->request("GET", target, headers);
    }

    // A login form: its nonce cookie and its token.
    std::pair<QByteArray, QByteArray> loginForm()
    {
        const HttpsAnswer form = get("/status/login");
        return {cookieValue(form, "prophasis_status_login").value_or(QByteArray()),
                formField(form.body, "csrf")};
    }

    HttpsAnswer postLogin(const QString &username, const QString &password, const QByteArray &nonce,
                          const QByteArray &token, const QByteArray &origin = "https://test",
                          const QString &next = QStringLiteral("/status"))
    {
        Headers headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!origin.isEmpty())
            headers.append({"Origin", origin});
        if (!nonce.isEmpty())
            headers.append({"Cookie", "prophasis_status_login=" + nonce});
        return m_server.api->request("POST", "/status/login", headers,
                                     formBody({{QStringLiteral("username"), username},
                                               {QStringLiteral("password"), password},
                                               {QStringLiteral("csrf"), QString::fromLatin1(token)},
                                               {QStringLiteral("next"), next}}));
    }

    // A viewer's session cookie value.
    QByteArray login()
    {
        const auto [nonce, token] = loginForm();
        return cookieValue(postLogin(QStringLiteral("viewer"), test::ViewerPassword, nonce, token),
                           "prophasis_status")
            .value_or(QByteArray());
    }

    static void checkSecurityHeaders(const HttpsAnswer &answer)
    {
        const QByteArray policy = answer.header("Content-Security-Policy");
        for (const char *directive : {"default-src 'none'", "style-src 'sha256-", "img-src 'self' data:",
                                      "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"})
            QVERIFY2(policy.contains(directive), directive);
        QVERIFY(!policy.contains("script-src"));
        QCOMPARE(answer.header("X-Content-Type-Options"), QByteArray("nosniff"));
        QCOMPARE(answer.header("X-Frame-Options"), QByteArray("DENY"));
        QCOMPARE(answer.header("Referrer-Policy"), QByteArray("same-origin"));
        QCOMPARE(answer.header("Cache-Control"), QByteArray("no-store"));
        // One of each: the server's defaults must not add a second.
        QCOMPARE(answer.head.count("X-Content-Type-Options"), 1);
        QCOMPARE(answer.head.count("Cache-Control"), 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("statuspagehttp"));
    }

    void init() { startServer(false); }
    void cleanup()
    {
        m_server.api.reset();
        m_server.health.reset();
    }

    void pagesWithoutSessionRedirectToLogin()
    {
        HttpsAnswer answer = get("/status");
        QCOMPARE(answer.status, 303);
        QCOMPARE(answer.header("Location"), QByteArray("/status/login"));
        checkSecurityHeaders(answer);
        QVERIFY(!answer.body.contains("db-01"));

        const QByteArray hostPath =
            "/status/hosts/" + m_server.shop.chartHost.toString(QUuid::WithoutBraces).toLatin1();
        answer = get(hostPath);
        QCOMPARE(answer.status, 303);
        QCOMPARE(answer.header("Location"), "/status/login?next=" + hostPath);

        // Followed from another site, which holds the cookie back: the page loads itself again.
        answer = m_server.api->request("GET", hostPath, {{"Sec-Fetch-Site", "cross-site"}});
        QCOMPARE(answer.status, 200);
        checkSecurityHeaders(answer);
        QVERIFY(answer.body.contains("<meta http-equiv=\"refresh\" content=\"0; url=" + hostPath + "\">"));
        QVERIFY(!answer.body.contains("web-01"));
        QCOMPARE(m_server.api->request("GET", hostPath, {{"Sec-Fetch-Site", "same-origin"}}).status, 303);

        // A made-up session is no session, and its cookie is removed.
        answer = get("/status", "not-a-session");
        QCOMPARE(answer.status, 303);
        QVERIFY(setCookies(answer).contains(
            "prophasis_status=; HttpOnly; Secure; SameSite=Strict; Path=/status; Max-Age=0"));
    }

    void loginSetsASessionCookieWithEveryAttribute()
    {
        const HttpsAnswer form = get("/status/login?next=/status/services/x");
        QCOMPARE(form.status, 200);
        checkSecurityHeaders(form);
        QVERIFY(form.header("Content-Type").startsWith("text/html; charset=utf-8"));
        QCOMPARE(formField(form.body, "next"), QByteArray("/status/services/x"));
        const std::optional<QByteArray> nonce = cookieValue(form, "prophasis_status_login");
        QVERIFY(nonce && nonce->size() >= 43);
        QVERIFY(setCookies(form).constFirst().endsWith(
            "; HttpOnly; Secure; SameSite=Strict; Path=/status; Max-Age=3600"));

        const HttpsAnswer answer =
            postLogin(QStringLiteral("viewer"), test::ViewerPassword, *nonce, formField(form.body, "csrf"),
                      "https://test", QStringLiteral("/status/services/x"));
        QCOMPARE(answer.status, 303);
        QCOMPARE(answer.header("Location"), QByteArray("/status/services/x"));
        checkSecurityHeaders(answer);
        QByteArray sessionCookie;
        for (const QByteArray &cookie : setCookies(answer)) {
            if (cookie.startsWith("prophasis_status="))
                sessionCookie = cookie;
        }
        const QList<QByteArray> attributes = sessionCookie.split(';');
        QCOMPARE(attributes.size(), 5);
        QVERIFY(attributes.at(0).size() > 20);
        QCOMPARE(attributes.mid(1),
                 (QList<QByteArray>{" HttpOnly", " Secure", " SameSite=Strict", " Path=/status"}));
        // The login form's nonce is spent.
        QVERIFY(setCookies(answer).contains(
            "prophasis_status_login=; HttpOnly; Secure; SameSite=Strict; Path=/status; Max-Age=0"));

        const HttpsAnswer overview = get("/status", attributes.at(0).mid(17));
        QCOMPARE(overview.status, 200);
        checkSecurityHeaders(overview);
        QVERIFY(overview.body.contains("db-01"));
        QVERIFY(overview.body.contains("href=\"/status/logout\""));
        const HttpsAnswer logout = get("/status/logout", attributes.at(0).mid(17));
        QCOMPARE(logout.status, 200);
        checkSecurityHeaders(logout);
        QVERIFY(logout.body.contains("<b>viewer</b>"));
        QVERIFY(logout.body.contains("action=\"/status/logout\""));
    }

    void anyRoleMayView()
    {
        for (const auto &[name, password] : {std::pair{QStringLiteral("admin"), test::AdminPassword},
                                             std::pair{QStringLiteral("operator"), test::OperatorPassword}}) {
            const auto [nonce, token] = loginForm();
            const HttpsAnswer answer = postLogin(name, password, nonce, token);
            QCOMPARE(answer.status, 303);
            QCOMPARE(get("/status", *cookieValue(answer, "prophasis_status")).status, 200);
        }
    }

    void wrongPasswordSaysSoWithoutSayingWhich()
    {
        auto [nonce, token] = loginForm();
        const HttpsAnswer wrongPassword =
            postLogin(QStringLiteral("viewer"), QStringLiteral("not the password"), nonce, token);
        QCOMPARE(wrongPassword.status, 200);
        QVERIFY(wrongPassword.body.contains("Wrong user name or password."));
        QVERIFY(!cookieValue(wrongPassword, "prophasis_status"));
        QVERIFY(wrongPassword.body.contains("value=\"viewer\"")); // the name is kept
        checkSecurityHeaders(wrongPassword);

        // An unknown user gets the same words; the refused form brought a fresh token.
        nonce = *cookieValue(wrongPassword, "prophasis_status_login");
        token = formField(wrongPassword.body, "csrf");
        const HttpsAnswer unknownUser =
            postLogin(QStringLiteral("nobody"), QStringLiteral("whatever it is"), nonce, token);
        QCOMPARE(unknownUser.status, 200);
        QVERIFY(unknownUser.body.contains("Wrong user name or password."));
        QVERIFY(!cookieValue(unknownUser, "prophasis_status"));
    }

    void forgedLoginsAreRefused()
    {
        const auto [nonce, token] = loginForm();
        const QString user = QStringLiteral("viewer");
        // Another site's origin, no origin at all, a missing token, a token of another form, the
        // token without its cookie.
        const QList<HttpsAnswer> refused = {
            postLogin(user, test::ViewerPassword, nonce, token, "https://evil.example"),
            postLogin(user, test::ViewerPassword, nonce, token, "null"),
            postLogin(user, test::ViewerPassword, nonce, token, ""),
            postLogin(user, test::ViewerPassword, nonce, ""),
            postLogin(user, test::ViewerPassword, nonce, loginForm().second),
            postLogin(user, test::ViewerPassword, "", token),
        };
        for (const HttpsAnswer &answer : refused) {
            QCOMPARE(answer.status, 403);
            QVERIFY(!cookieValue(answer, "prophasis_status"));
            checkSecurityHeaders(answer);
        }
        // A Referer of ours stands in for a missing Origin.
        const HttpsAnswer viaReferer =
            m_server.api->request("POST", "/status/login",
                                  {{"Content-Type", "application/x-www-form-urlencoded"},
                                   {"Referer", "https://test/status/login"},
                                   {"Cookie", "prophasis_status_login=" + nonce}},
                                  formBody({{QStringLiteral("username"), user},
                                            {QStringLiteral("password"), test::ViewerPassword},
                                            {QStringLiteral("csrf"), QString::fromLatin1(token)}}));
        QCOMPARE(viaReferer.status, 303);
        // Not a form at all.
        QCOMPARE(m_server.api
                     ->request("POST", "/status/login",
                               {{"Content-Type", "application/json"}, {"Origin", "https://test"}}, "{}")
                     .status,
                 400);
    }

    void logoutEndsTheSessionOnlyWithItsToken()
    {
        const QByteArray session = login();
        QVERIFY(!session.isEmpty());
        const QByteArray token = formField(get("/status/logout", session).body, "csrf");
        QVERIFY(!token.isEmpty());

        const auto logout = [&](const QByteArray &origin, const QByteArray &csrf) {
            return m_server.api->request("POST", "/status/logout",
                                         {{"Content-Type", "application/x-www-form-urlencoded"},
                                          {"Origin", origin},
                                          {"Cookie", "prophasis_status=" + session}},
                                         "csrf=" + csrf);
        };
        QCOMPARE(logout("https://evil.example", token).status, 403);
        QCOMPARE(logout("https://test", "").status, 403);
        QCOMPARE(logout("https://test", StatusShop::HostileName.toLatin1()).status, 403);
        QCOMPARE(get("/status", session).status, 200); // still logged in

        const HttpsAnswer answer = logout("https://test", token);
        QCOMPARE(answer.status, 303);
        QCOMPARE(answer.header("Location"), QByteArray("/status/login"));
        QVERIFY(setCookies(answer).contains(
            "prophasis_status=; HttpOnly; Secure; SameSite=Strict; Path=/status; Max-Age=0"));
        checkSecurityHeaders(answer);
        QCOMPARE(get("/status", session).status, 303);
    }

    void pagesShowTheShopWorstFirstAndEscaped()
    {
        const QByteArray session = login();
        const HttpsAnswer overview = get("/status", session);
        QCOMPARE(overview.status, 200);
        const QString html = QString::fromUtf8(overview.body);
        qsizetype previous = html.indexOf(QStringLiteral("id=\"hosts\""));
        for (const QString &name : m_server.shop.worstFirstNames) {
            const qsizetype at =
                html.indexOf(QStringLiteral("<span class=\"name\">%1<").arg(name.toHtmlEscaped()), previous);
            QVERIFY2(at > previous, qPrintable(name));
            previous = at;
        }
        QVERIFY(!html.contains(StatusShop::HostileName));
        QVERIFY(html.contains(QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;")));
        QVERIFY(html.indexOf(QStringLiteral(">printer-3rd-floor<")) >
                html.indexOf(QStringLiteral(">host-0019<")));

        const HttpsAnswer host = get(
            "/status/hosts/" + m_server.shop.chartHost.toString(QUuid::WithoutBraces).toLatin1(), session);
        QCOMPARE(host.status, 200);
        checkSecurityHeaders(host);
        QCOMPARE(host.body.count("<svg class=\"chart\""), 3); // a day of stored history per plugin
        QVERIFY(host.body.contains("HTTP 200 in 50 ms"));

        const HttpsAnswer hostile = get(
            "/status/hosts/" + m_server.shop.hostileHost.toString(QUuid::WithoutBraces).toLatin1(), session);
        QCOMPARE(hostile.status, 200);
        QVERIFY(!hostile.body.contains("<script>"));

        const HttpsAnswer service = get(
            "/status/services/" + m_server.shop.webShop.toString(QUuid::WithoutBraces).toLatin1(), session);
        QCOMPARE(service.status, 200);
        QVERIFY(service.body.contains("Web servers"));
        QVERIFY(service.body.contains("<section class=\"group s-degraded\">"));
        QVERIFY(service.body.contains("HTTP on web-01"));

        for (const QByteArray &missing :
             {QByteArray("/status/hosts/") + QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1(),
              QByteArray("/status/hosts/not-a-uuid"),
              QByteArray("/status/services/") +
                  QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1()}) {
            const HttpsAnswer answer = get(missing, session);
            QCOMPARE(answer.status, 404);
            checkSecurityHeaders(answer);
        }
    }

    void overviewIsCompressedForClientsThatAskForIt()
    {
        const QByteArray session = login();
        const HttpsAnswer plain = get("/status", session);
        const HttpsAnswer compressed = m_server.api->request(
            "GET", "/status",
            {{"Cookie", "prophasis_status=" + session}, {"Accept-Encoding", "br, gzip;q=0.8"}});
        QCOMPARE(compressed.status, 200);
        QCOMPARE(compressed.header("Content-Encoding"), QByteArray("gzip"));
        QCOMPARE(compressed.header("Vary"), QByteArray("Accept-Encoding"));
        checkSecurityHeaders(compressed);
        QVERIFY(compressed.body.size() < plain.body.size() / 3);
        QCOMPARE(gunzip(compressed.body), plain.body); // rendered once, within the cache's second
        QVERIFY(plain.header("Content-Encoding").isEmpty());
        const HttpsAnswer refused = m_server.api->request(
            "GET", "/status", {{"Cookie", "prophasis_status=" + session}, {"Accept-Encoding", "gzip;q=0"}});
        QVERIFY(refused.header("Content-Encoding").isEmpty());
    }

    void anonymousModeServesWithoutLogin()
    {
        cleanup();
        startServer(true);
        const HttpsAnswer overview = get("/status");
        QCOMPARE(overview.status, 200);
        checkSecurityHeaders(overview);
        QVERIFY(overview.body.contains("db-01"));
        QVERIFY(!overview.body.contains("/status/logout"));
        QCOMPARE(get("/status/logout").status, 303);
        const HttpsAnswer host =
            get("/status/hosts/" + m_server.shop.chartHost.toString(QUuid::WithoutBraces).toLatin1());
        QCOMPARE(host.status, 200);
        const HttpsAnswer login = get("/status/login");
        QCOMPARE(login.status, 303);
        QCOMPARE(login.header("Location"), QByteArray("/status"));
    }
};

QTEST_GUILESS_MAIN(TestStatusPageHttp)
#include "tst_statuspagehttp.moc"
