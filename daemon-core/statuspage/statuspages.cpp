#include "daemon-core/statuspage/statuspages.h"

#include <QLocale>

#include <algorithm>

#include "daemon-core/statuspage/statuschart.h"
#include "daemon-core/statuspage/statushtml.h"
#include "daemon-core/statuspage/statusstyle.h"

namespace prophasis {

namespace {

inline constexpr int RefreshSeconds = 30;
inline constexpr int MaxChangesShown = 10;
inline constexpr int MaxDescriptionShown = 160;

QString page(const StatusChrome &chrome, const QString &content)
{
    QString html;
    html.reserve(content.size() + 6000);
    html += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    if (chrome.autoRefresh)
        html += QStringLiteral("<meta http-equiv=\"refresh\" content=\"%1\">").arg(RefreshSeconds);
    html += QStringLiteral("<title>%1 · Prophasis</title><style>").arg(htmlEscape(chrome.title));
    html += QString::fromUtf8(statusStyleSheet());
    html += QStringLiteral(
        "</style></head><body><header><a class=\"brand\" href=\"/status\">Prophasis status</a>");
    if (chrome.loggedIn)
        html += QStringLiteral("<a class=\"button\" href=\"/status/logout\">Log out</a>");
    html += QStringLiteral("</header><main>");
    html += content;
    html += QStringLiteral("</main>");
    // Only pages that show health say how fresh it is (not the login and logout forms).
    if (chrome.autoRefresh)
        html += QStringLiteral("<footer>Updated %1 UTC · refreshes every %2 s</footer>")
                    .arg(chrome.now.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                    .arg(RefreshSeconds);
    html += QStringLiteral("</body></html>\n");
    return html;
}

QString counts(const StateCounts &counts, const QString &label)
{
    QString html = QStringLiteral("<ul class=\"counts\" aria-label=\"%1\">").arg(htmlEscape(label));
    for (const State state : statesWorstFirst()) {
        if (const int count = counts.value(state); count > 0)
            html += QStringLiteral("<li class=\"%1\">%2 %3</li>")
                        .arg(stateClass(state))
                        .arg(count)
                        .arg(stateText(state));
    }
    return html + QStringLiteral("</ul>");
}

// One row of a list: a link when `href` is set, the name with a smaller line under it, the badge.
QString row(State state, const QString &href, const QString &name, const QString &detail)
{
    const QString inner =
        QStringLiteral("<span class=\"name\">%1%2</span>%3")
            .arg(htmlEscape(name),
                 detail.isEmpty() ? QString() : QStringLiteral("<small>%1</small>").arg(htmlEscape(detail)),
                 stateBadge(state));
    if (href.isEmpty())
        return QStringLiteral("<li><div class=\"row %1\">%2</div></li>").arg(stateClass(state), inner);
    return QStringLiteral("<li><a class=\"row %1\" href=\"%2\">%3</a></li>")
        .arg(stateClass(state), href, inner);
}

QString seriesSummary(const HostSummary &host)
{
    const int total = host.series.total();
    if (total == 0)
        return QStringLiteral("no checks");
    const int notOk = total - host.series.value(State::Ok);
    const QString checks = total == 1 ? QStringLiteral("1 check") : QStringLiteral("%1 checks").arg(total);
    return notOk == 0 ? checks + QStringLiteral(", all OK")
                      : checks + QStringLiteral(", %1 not OK").arg(notOk);
}

QString shortened(const QString &text, int length)
{
    return text.size() <= length ? text : text.left(length - 1) + u'…';
}

QString memberKindText(MemberKind kind)
{
    switch (kind) {
    case MemberKind::Host:
        return QStringLiteral("Host");
    case MemberKind::HostGroup:
        return QStringLiteral("Host group");
    case MemberKind::HostPlugin:
        return QStringLiteral("Plugin on a host");
    case MemberKind::Service:
        return QStringLiteral("Service");
    }
    return {};
}

QString memberRows(const QList<MemberReport> &members)
{
    if (members.isEmpty())
        return QStringLiteral("<p class=\"empty\">None.</p>");
    QString html = QStringLiteral("<ul class=\"rows\">");
    for (const MemberReport &member : members) {
        QString href;
        QString name = member.name;
        switch (member.kind) {
        case MemberKind::Host:
            href = statusHostPath(member.id);
            break;
        case MemberKind::HostPlugin:
            href = statusHostPath(member.id);
            name = QStringLiteral("%1 on %2").arg(member.pluginName, member.name);
            break;
        case MemberKind::Service:
            href = statusServicePath(member.id);
            break;
        case MemberKind::HostGroup:
            break;
        }
        html += row(member.state, href, name, memberKindText(member.kind));
    }
    return html + QStringLiteral("</ul>");
}

QString heading(const QString &name, State state)
{
    return QStringLiteral("<div class=\"card %1\"><div class=\"top\"><h1>%2</h1>%3</div>")
        .arg(stateClass(state), htmlEscape(name), stateBadge(state));
}

QString resultTypeText(ResultType type)
{
    switch (type) {
    case ResultType::Success:
        return {};
    case ResultType::ConnectionError:
        return QStringLiteral("connection failed");
    case ResultType::Timeout:
        return QStringLiteral("timed out");
    case ResultType::TlsError:
        return QStringLiteral("TLS error");
    case ResultType::RequestError:
        return QStringLiteral("request failed");
    case ResultType::PluginError:
        return QStringLiteral("plugin failed");
    }
    return {};
}

QString seriesCard(const SeriesDetail &series, const HostDetail &detail, const QDateTime &now)
{
    QString html = QStringLiteral("<section class=\"card %1\"><div class=\"top\"><h3>%2 · %3</h3>%4</div>")
                       .arg(stateClass(series.state), htmlEscape(series.checkName),
                            htmlEscape(series.pluginName), stateBadge(series.state));
    html += QStringLiteral("<div class=\"figures\">");
    if (series.latest) {
        const CheckResult &latest = *series.latest;
        html += QStringLiteral("<span>Value <b>%1</b></span>")
                    .arg(latest.value ? htmlEscape(valueText(*latest.value)) : QStringLiteral("none"));
        html += QStringLiteral("<span>Result %1</span>").arg(htmlEscape(stateText(latest.classification)));
        if (const QString failure = resultTypeText(latest.type); !failure.isEmpty())
            html += QStringLiteral("<span>%1</span>").arg(failure);
        html += QStringLiteral("<span>%1</span>").arg(ageText(latest.time, now));
        if (series.state != latest.classification && series.state == State::Unknown)
            html += QStringLiteral("<span>stale</span>");
    } else {
        html += QStringLiteral("<span>No result yet</span>");
    }
    html += QStringLiteral("</div>");
    if (series.latest && !series.latest->message.isEmpty())
        html += QStringLiteral("<div class=\"message\">%1</div>").arg(htmlEscape(series.latest->message));
    html += renderChart(series.value.range.points, detail.from, detail.to);
    return html + QStringLiteral("</section>");
}

} // namespace

QString statusHostPath(const QUuid &id)
{
    return QStringLiteral("/status/hosts/") + id.toString(QUuid::WithoutBraces);
}

QString statusServicePath(const QUuid &id)
{
    return QStringLiteral("/status/services/") + id.toString(QUuid::WithoutBraces);
}

QString renderOverviewPage(const HostsReport &hosts, const ServicesReport &services,
                           const StatusChrome &chrome)
{
    QString content;
    content.reserve(200 + 220 * (hosts.hosts.size() + services.services.size()));
    content += QStringLiteral("<h1>Overview</h1><div class=\"columns\"><section><h2>Services</h2>");
    if (services.services.isEmpty()) {
        content += QStringLiteral("<p class=\"empty\">No services are set up.</p>");
    } else {
        content += counts(services.counts, QStringLiteral("Services per state"));
        content += QStringLiteral("<ul class=\"rows\" id=\"services\">");
        for (const ServiceSummary &service : services.services)
            content += row(service.state, statusServicePath(service.id), service.name,
                           shortened(service.description, MaxDescriptionShown));
        content += QStringLiteral("</ul>");
    }
    content += QStringLiteral("</section><section><h2>Hosts</h2>");
    if (hosts.hosts.isEmpty()) {
        content += QStringLiteral("<p class=\"empty\">No hosts are set up.</p>");
    } else {
        content += counts(hosts.counts, QStringLiteral("Hosts per state"));
        content += QStringLiteral("<ul class=\"rows\" id=\"hosts\">");
        for (const HostSummary &host : hosts.hosts) {
            QString detail = host.address;
            if (!host.enabled)
                detail += QStringLiteral(" · disabled");
            detail += QStringLiteral(" · ") + seriesSummary(host);
            content += row(host.state, statusHostPath(host.id), host.name, detail);
        }
        content += QStringLiteral("</ul>");
    }
    content += QStringLiteral("</section></div>");
    return page(chrome, content);
}

QString renderHostPage(const HostDetail &detail, const StatusChrome &chrome)
{
    const HostSummary &host = detail.host;
    QString content = heading(host.name, host.state);
    content += QStringLiteral("<p class=\"meta\">%1%2</p>")
                   .arg(htmlEscape(host.address), host.enabled ? QString() : QStringLiteral(" · disabled"));
    if (!detail.description.isEmpty())
        content += QStringLiteral("<p>%1</p>").arg(htmlEscape(detail.description));
    content += QStringLiteral("<p class=\"meta\">Newest result %1 · charts of the last %2 h</p></div>")
                   .arg(ageText(host.newestResult, chrome.now))
                   .arg(qMax<qint64>(1, detail.from.secsTo(detail.to) / 3600));

    content += QStringLiteral("<h2>Checks</h2>");
    if (detail.series.isEmpty())
        content += QStringLiteral("<p class=\"empty\">No checks apply to this host.</p>");
    // Worst first here too; otherwise in the report's order (check, then plugin).
    QList<SeriesDetail> series = detail.series;
    std::stable_sort(series.begin(), series.end(), [](const SeriesDetail &a, const SeriesDetail &b) {
        return severityRank(a.state) > severityRank(b.state);
    });
    for (const SeriesDetail &one : series)
        content += seriesCard(one, detail, chrome.now);

    if (!detail.changes.isEmpty()) {
        content += QStringLiteral("<h2>Recent changes</h2><ul class=\"rows\">");
        for (qsizetype i = 0; i < std::min<qsizetype>(detail.changes.size(), MaxChangesShown); ++i) {
            const StoredHealthChange &change = detail.changes.at(i);
            content += row(change.to, {},
                           QStringLiteral("%1 → %2").arg(stateText(change.from), stateText(change.to)),
                           ageText(change.time, chrome.now));
        }
        content += QStringLiteral("</ul>");
    }
    return page(chrome, content);
}

QString renderServicePage(const ServiceDetail &detail, const StatusChrome &chrome)
{
    const ServiceSummary &service = detail.service;
    QString content = heading(service.name, service.state);
    if (!service.description.isEmpty())
        content += QStringLiteral("<p>%1</p>").arg(htmlEscape(service.description));
    content += QStringLiteral("</div>");

    content += QStringLiteral("<h2>Dependencies</h2><p class=\"meta\">Every one must be healthy.</p>");
    content += memberRows(detail.dependencies);
    content +=
        QStringLiteral("<h2>Redundancy groups</h2><p class=\"meta\">Each needs one healthy member.</p>");
    if (detail.redundancyGroups.isEmpty())
        content += QStringLiteral("<p class=\"empty\">None.</p>");
    for (const RedundancyGroupReport &group : detail.redundancyGroups) {
        content += QStringLiteral("<section class=\"group %1\"><div class=\"top\"><h3>%2 %3</h3></div>")
                       .arg(stateClass(group.state), htmlEscape(group.name), stateBadge(group.state));
        content += memberRows(group.members);
        content += QStringLiteral("</section>");
    }
    return page(chrome, content);
}

QString renderLoginPage(const StatusLoginForm &form)
{
    StatusChrome chrome;
    chrome.title = QStringLiteral("Log in");
    chrome.autoRefresh = false;
    QString content = QStringLiteral("<form class=\"login\" method=\"post\" action=\"/status/login\">"
                                     "<h1>Log in to see the status</h1>");
    if (!form.notice.isEmpty())
        content += QStringLiteral("<p class=\"notice\" role=\"alert\">%1</p>").arg(htmlEscape(form.notice));
    content +=
        QStringLiteral("<label for=\"username\">User name</label>"
                       "<input id=\"username\" name=\"username\" autocomplete=\"username\" "
                       "autocapitalize=\"none\" required value=\"%1\">"
                       "<label for=\"password\">Password</label>"
                       "<input id=\"password\" name=\"password\" type=\"password\" "
                       "autocomplete=\"current-password\" required>"
                       "<input type=\"hidden\" name=\"csrf\" value=\"%2\">"
                       "<input type=\"hidden\" name=\"next\" value=\"%3\">"
                       "<button type=\"submit\">Log in</button></form>")
            .arg(htmlEscape(form.username), QString::fromLatin1(form.formToken), htmlEscape(form.next));
    return page(chrome, content);
}

QString renderLogoutPage(const QString &username, const QByteArray &logoutToken)
{
    StatusChrome chrome;
    chrome.title = QStringLiteral("Log out");
    chrome.autoRefresh = false;
    return page(chrome, QStringLiteral("<form class=\"login\" method=\"post\" action=\"/status/logout\">"
                                       "<h1>Log out</h1><p>Logged in as <b>%1</b>.</p>"
                                       "<input type=\"hidden\" name=\"csrf\" value=\"%2\">"
                                       "<button type=\"submit\">Log out</button></form>"
                                       "<p><a href=\"/status\">Back to the overview</a></p>")
                            .arg(htmlEscape(username), QString::fromLatin1(logoutToken)));
}

QString renderReloadPage(const QString &path)
{
    const QString target = htmlEscape(path);
    QString html =
        QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<meta http-equiv=\"refresh\" content=\"0; url=%1\"><title>Prophasis</title>"
                       "</head><body><p><a href=\"%1\">Open the status page</a></p></body></html>\n")
            .arg(target);
    return html;
}

QString renderMessagePage(const QString &heading, const QString &message, const StatusChrome &chrome)
{
    return page(chrome,
                QStringLiteral("<h1>%1</h1><p>%2</p><p><a href=\"/status\">Back to the overview</a></p>")
                    .arg(htmlEscape(heading), htmlEscape(message)));
}

} // namespace prophasis
