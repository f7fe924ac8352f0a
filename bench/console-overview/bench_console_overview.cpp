// The overview's refresh with 1,000 hosts (issue #7: ≤ 100 ms). Each figure is the time from the
// report's bytes to an updated model: JSON parse, reading the rows, and applying them
// incrementally — alone, and with what the page puts on top (the sorted filter and a table view).
// Prints the median and the worst of 20 runs; asserts nothing (the machine is shared).

#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTableView>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewfiltermodel.h"
#include "tests/console/overview/reportfixtures.h"

using namespace prophasis;

namespace {

constexpr int Hosts = 1000;
constexpr int Changed = 50;
constexpr int Runs = 20;

// A model with what the page puts on top of it, or alone.
struct Overview
{
    explicit Overview(bool withView)
    {
        if (!withView)
            return;
        filter = std::make_unique<OverviewFilterModel>();
        filter->setSourceModel(&model);
        view = std::make_unique<QTableView>();
        view->setModel(filter.get());
        view->setSortingEnabled(true);
        view->sortByColumn(0, Qt::AscendingOrder);
        view->resize(1366, 600);
        view->show();
    }
    HostListModel model;
    std::unique_ptr<OverviewFilterModel> filter;
    std::unique_ptr<QTableView> view;
};

double applyMs(Overview &overview, const QByteArray &bytes)
{
    QElapsedTimer timer;
    timer.start();
    const QJsonObject json = QJsonDocument::fromJson(bytes).object();
    overview.model.applyJson(json);
    if (overview.view)
        QCoreApplication::processEvents(); // what the view does with the changes before it paints
    return double(timer.nsecsElapsed()) / 1e6;
}

void print(const char *what, QList<double> runs)
{
    std::sort(runs.begin(), runs.end());
    const double median = (runs[Runs / 2 - 1] + runs[Runs / 2]) / 2;
    std::printf("  %-58s median %7.2f ms   worst %7.2f ms\n", what, median, runs.last());
}

void measure(const char *title, bool withView, const QByteArray &first, const QByteArray &changed,
             const QJsonObject &event)
{
    std::printf("%s\n", title);
    QList<double> fill, refresh, unchanged, one;
    for (int run = 0; run < Runs; ++run) {
        Overview overview(withView);
        fill.append(applyMs(overview, first));
        refresh.append(applyMs(overview, changed));
        unchanged.append(applyMs(overview, changed));
        QElapsedTimer timer;
        timer.start();
        overview.model.applyHealthEvent(event);
        if (overview.view)
            QCoreApplication::processEvents();
        one.append(double(timer.nsecsElapsed()) / 1e6);
    }
    print("first fill (parse + apply)", fill);
    print("refresh, 50 hosts changed state (parse + apply)", refresh);
    print("refresh, nothing changed (parse + apply)", unchanged);
    print("one health event (a host turns critical)", one);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QRandomGenerator random(1);
    QList<HostSummary> hosts;
    for (int i = 0; i < Hosts; ++i) {
        const int roll = int(random.bounded(100));
        const State state = roll < 2    ? State::Critical
                            : roll < 5  ? State::Major
                            : roll < 10 ? State::Unknown
                                        : State::Ok;
        hosts.append(test::hostSummary(QStringLiteral("host-%1").arg(i, 4, 10, QLatin1Char('0')), state));
    }
    const QByteArray first = QJsonDocument(test::hostsJson(hosts)).toJson(QJsonDocument::Compact);
    for (int i = 0; i < Changed; ++i) {
        HostSummary &host = hosts[(i * 997) % Hosts];
        host.state = host.state == State::Ok ? State::Critical : State::Ok;
    }
    const QByteArray changed = QJsonDocument(test::hostsJson(hosts)).toJson(QJsonDocument::Compact);
    const HostSummary &quiet = hosts[Hosts / 2];
    const QJsonObject event =
        test::healthEvent(QStringLiteral("host"), quiet.id, quiet.name, quiet.state, State::Critical);

    std::printf("Overview with %d hosts (report %lld bytes), %d runs each\n", Hosts, qlonglong(first.size()),
                Runs);
    measure("HostListModel alone:", false, first, changed, event);
    measure("with the page's sorted filter and a table view (offscreen):", true, first, changed, event);
    return 0;
}
