// Measures classification (SPEC §5, issue #5 "Measure").
//
//   bench_classify [--jobs N] [--runs R] [--worker PATH]
//
// 1. Inside the worker: ClassifierEngine in this process (what prophasis-core-classifier runs),
//    the bundled disk classifier over a history of n = 10 results with four metrics each. The
//    time per result of R runs of N jobs: median and p90 over the runs. Printed twice: the Lua
//    part alone (build the inputs, run, read the answer; target ≤ 5 µs median) and the whole
//    batch as the worker handles it (parse the JSON frame, classify, write the answer).
// 2. The process boundary: the same jobs through ClassifierWorkerClient and the real worker, in
//    batches of 1, 10 and 100 (a batch is submitted and awaited before the next). End to end per
//    result, the worker's own time per result (from its answers), the difference (the boundary:
//    the core's JSON, the pipe, the event loop) and this process's CPU per result.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon-core/classify/classifierengine.h"
#include "daemon-core/classify/classifierjobjson.h"
#include "daemon-core/classify/classifierworkerclient.h"

using namespace prophasis;

namespace {

constexpr int HistoryLength = 10;

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const std::size_t index = std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

// A disk series: used % drifting around the thresholds, so jobs end ok, minor and major.
ClassificationJob diskJob(const QString &source, int seed)
{
    ClassificationJob job;
    job.classifierName = QStringLiteral("bench disk");
    job.source = source;
    job.arguments = {{QStringLiteral("path"), QStringLiteral("/")},
                     {QStringLiteral("df"), QStringLiteral("df")}};
    job.variables = {{QStringLiteral("disk_warn"), QStringLiteral("85")}};
    for (int i = 0; i < HistoryLength; ++i) {
        CheckResult result;
        result.time = QDateTime::fromSecsSinceEpoch(1700000000 + 60 * (seed + i), Qt::UTC);
        const double used = 70 + (seed * 7 + i * 3) % 30;
        result.value = used;
        result.message = QStringLiteral("%1 % used on /").arg(used);
        result.metrics = {
            {QStringLiteral("size"), 100e9, QStringLiteral("B")},
            {QStringLiteral("used"), used * 1e9, QStringLiteral("B")},
            {QStringLiteral("free"), (100 - used) * 1e9, QStringLiteral("B")},
            {QStringLiteral("inodes_used_percent"), 12, QStringLiteral("%")},
        };
        job.results.append(result);
    }
    return job;
}

void inWorker(QTextStream &out, const QString &source, int jobCount, int runs)
{
    ClassifierEngine engine;
    const std::string key = "disk";
    engine.addSource(key, source.toStdString());
    std::vector<nlohmann::json> jobs;
    std::string batchFrame = "{\"batch\":1,\"classifiers\":[],\"jobs\":[";
    for (int i = 0; i < jobCount; ++i) {
        const std::string text = classifierJobJson(i + 1, key, diskJob(source, i));
        jobs.push_back(nlohmann::json::parse(text));
        if (i < 100)
            batchFrame += (i ? "," : "") + text;
    }
    batchFrame += "]}";

    ClassifierAnswer answer;
    int counts[3] = {0, 0, 0};
    for (const nlohmann::json &job : jobs) { // warm-up, and a check that the answers vary
        engine.classify(job, &answer);
        if (!answer.error.empty()) {
            out << "classification failed: " << QString::fromStdString(answer.error) << Qt::endl;
            return;
        }
        counts[answer.state == "ok" ? 0 : answer.state == "minor" ? 1 : 2]++;
    }
    out << "answers: ok " << counts[0] << ", minor " << counts[1] << ", major " << counts[2] << Qt::endl;

    std::vector<double> lua;
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (const nlohmann::json &job : jobs)
            engine.classify(job, &answer);
        const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
        lua.push_back(elapsed.count() / jobCount);
    }
    std::vector<double> whole;
    std::string reply;
    const int batches = std::max(1, jobCount / 100);
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (int b = 0; b < batches; ++b)
            engine.handleBatch(batchFrame, &reply);
        const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
        whole.push_back(elapsed.count() / (batches * 100));
    }
    out << QStringLiteral("in the worker, per result (n = %1, %2 runs of %3 jobs):")
               .arg(HistoryLength)
               .arg(runs)
               .arg(jobCount)
        << Qt::endl;
    out << QStringLiteral("  Lua (inputs, run, answer):     median %1 µs, p90 %2 µs  (target ≤ 5 µs median)")
               .arg(percentile(lua, 0.5), 0, 'f', 2)
               .arg(percentile(lua, 0.9), 0, 'f', 2)
        << Qt::endl;
    out << QStringLiteral("  whole batch of 100 (JSON in and out): median %1 µs, p90 %2 µs")
               .arg(percentile(whole, 0.5), 0, 'f', 2)
               .arg(percentile(whole, 0.9), 0, 'f', 2)
        << Qt::endl;
}

void throughWorker(QTextStream &out, const QString &program, const QString &source, int jobCount, int runs)
{
    QList<ClassificationJob> jobs;
    for (int i = 0; i < 1000; ++i)
        jobs.append(diskJob(source, i));
    out << "through the client and the worker process, per result:" << Qt::endl;
    for (const int batchSize : {1, 10, 100}) {
        ClassifierWorkerOptions options;
        options.workerProgram = program;
        options.maxBatchJobs = batchSize;
        ClassifierWorkerClient client(options);
        const int perRun = batchSize == 1 ? std::min(jobCount, 2000) : jobCount;
        std::vector<double> endToEnd, worker, boundary, cpu;
        for (int run = 0; run <= runs; ++run) { // run 0 warms up (starts the worker)
            const quint64 workerNsBefore = client.counters().workerNs;
            const double cpuBefore = cpuSeconds();
            QElapsedTimer timer;
            timer.start();
            int submitted = 0;
            int answered = 0;
            bool failed = false;
            while (submitted < perRun) {
                const int goal = submitted + batchSize;
                for (; submitted < goal; ++submitted)
                    client.classify(jobs[submitted % jobs.size()], [&](const ClassificationOutcome &outcome) {
                        ++answered;
                        failed = failed || outcome.failed();
                    });
                while (answered < submitted)
                    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
            }
            const double micros = double(timer.nsecsElapsed()) / 1000.0 / perRun;
            if (failed) {
                out << "  a classification failed" << Qt::endl;
                return;
            }
            if (run == 0)
                continue;
            const double workerMicros = double(client.counters().workerNs - workerNsBefore) / 1000.0 / perRun;
            endToEnd.push_back(micros);
            worker.push_back(workerMicros);
            boundary.push_back(micros - workerMicros);
            cpu.push_back((cpuSeconds() - cpuBefore) * 1e6 / perRun);
        }
        out << QStringLiteral(
                   "  batches of %1: end to end %2 µs, in the worker %3 µs, boundary %4 µs (p90 %5), "
                   "core CPU %6 µs  [median of %7 runs of %8]")
                   .arg(batchSize, 3)
                   .arg(percentile(endToEnd, 0.5), 0, 'f', 2)
                   .arg(percentile(worker, 0.5), 0, 'f', 2)
                   .arg(percentile(boundary, 0.5), 0, 'f', 2)
                   .arg(percentile(boundary, 0.9), 0, 'f', 2)
                   .arg(percentile(cpu, 0.5), 0, 'f', 2)
                   .arg(runs)
                   .arg(perRun)
            << Qt::endl;
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("jobs"), QStringLiteral("Jobs per run."), QStringLiteral("N"),
                      QStringLiteral("10000")});
    parser.addOption(
        {QStringLiteral("runs"), QStringLiteral("Runs."), QStringLiteral("R"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("worker"), QStringLiteral("The worker program."), QStringLiteral("PATH"),
                      QStringLiteral(PROPHASIS_CLASSIFIER_WORKER)});
    parser.process(app);
    const int jobCount = std::max(100, parser.value(QStringLiteral("jobs")).toInt());
    const int runs = std::max(10, parser.value(QStringLiteral("runs")).toInt());

    QFile file(QStringLiteral(PROPHASIS_DISK_CLASSIFIER));
    if (!file.open(QIODevice::ReadOnly)) {
        qCritical("cannot read %s", PROPHASIS_DISK_CLASSIFIER);
        return 1;
    }
    const QString source = QString::fromUtf8(file.readAll());
    QTextStream out(stdout);
    inWorker(out, source, jobCount, runs);
    throughWorker(out, parser.value(QStringLiteral("worker")), source, jobCount, runs);
    return 0;
}
