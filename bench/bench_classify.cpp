// Measures classification (SPEC §5, issue #5 "Measure").
//
//   bench_classify [--jobs N] [--runs R] [--worker PATH] [--classifier FILE] [--history N]
//                  [--metrics M] [--part lua|all]
//
// 1. Inside the worker: ClassifierEngine in this process (what prophasis-core-classifier runs),
//    the bundled disk classifier over a history of n = 10 results with four metrics each. The
//    CPU time per result of R runs of N jobs (in batches of 100, as the worker gets them):
//    median and p90 over the runs. Printed twice: the Lua part alone (build the inputs, run,
//    read the answer; target ≤ 5 µs median) and the whole batch as the worker handles it (parse
//    the JSON frame, classify, write the answer).
// 2. The process boundary: the same jobs through ClassifierWorkerClient and the real worker, in
//    batches of 1, 10 and 100 (a batch is submitted and awaited before the next). End to end per
//    result minus the classification of part 1 is the boundary, split into the worker's JSON and
//    framing (its own time from its answers, minus the classification) and the rest (the core's
//    JSON, the pipe, the event loop); and this process's (the core's) CPU per result.
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

#ifdef __linux__
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "daemon-core/classify/classifierengine.h"
#include "daemon-core/classify/classifierjobjson.h"
#include "daemon-core/classify/classifierworkerclient.h"

using namespace prophasis;

namespace {

int HistoryLength = 10;
int MetricCount = 4;

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double threadCpuMicros()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

// User-space instructions of this thread, where the kernel lets us count them: unlike time,
// they do not depend on what else the (shared) machine is doing.
class InstructionCounter
{
public:
    InstructionCounter()
    {
#ifdef __linux__
        perf_event_attr attr{};
        attr.type = PERF_TYPE_HARDWARE;
        attr.size = sizeof attr;
        attr.config = PERF_COUNT_HW_INSTRUCTIONS;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        m_fd = int(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
#endif
    }
    ~InstructionCounter()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool available() const
    {
        return m_fd >= 0;
    }
    double read() const
    {
        long long count = 0;
        if (m_fd < 0 || ::read(m_fd, &count, sizeof count) != sizeof count)
            return 0;
        return double(count);
    }

private:
    int m_fd = -1;
};

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
        const QList<Metric> metrics = {
            {QStringLiteral("size"), 100e9, QStringLiteral("B")},
            {QStringLiteral("used"), used * 1e9, QStringLiteral("B")},
            {QStringLiteral("free"), (100 - used) * 1e9, QStringLiteral("B")},
            {QStringLiteral("inodes_used_percent"), 12, QStringLiteral("%")},
        };
        result.metrics = metrics.mid(0, MetricCount);
        for (int m = 4; m < MetricCount; ++m)
            result.metrics.append({QStringLiteral("extra%1").arg(m), double(m), QString()});
        job.results.append(result);
    }
    return job;
}

// Returns the median Lua time per result, in µs.
double inWorker(QTextStream &out, const QString &source, int jobCount, int runs, bool onlyLua)
{
    ClassifierEngine engine;
    const std::string key = "disk";
    engine.addSource(key, source.toStdString());
    // The worker classifies a batch right after parsing it: batches of 100, parsed untimed.
    constexpr int BatchJobs = 100;
    const int batches = std::max(1, jobCount / BatchJobs);
    std::vector<std::string> texts;
    std::string batchFrame = "{\"batch\":1,\"classifiers\":[],\"jobs\":[";
    for (int i = 0; i < batches * BatchJobs; ++i) {
        texts.push_back(classifierJobJson(i + 1, key, diskJob(source, i)));
        if (i < BatchJobs)
            batchFrame += (i ? "," : "") + texts.back();
    }
    batchFrame += "]}";

    ClassifierAnswer answer;
    int counts[3] = {0, 0, 0};
    for (const std::string &text : texts) { // warm-up, and a check that the answers vary
        engine.classify(nlohmann::json::parse(text), &answer);
        if (!answer.error.empty()) {
            out << "classification failed: " << QString::fromStdString(answer.error) << Qt::endl;
            return 0;
        }
        counts[answer.state == "ok" ? 0 : answer.state == "minor" ? 1 : 2]++;
    }
    out << "answers: ok " << counts[0] << ", minor " << counts[1] << ", major " << counts[2] << Qt::endl;

    std::vector<double> lua;
    std::vector<double> instructions;
    const InstructionCounter counter;
    std::vector<nlohmann::json> batch(BatchJobs);
    for (int run = 0; run < runs; ++run) {
        double micros = 0;
        double counted = 0;
        for (int b = 0; b < batches; ++b) {
            for (int i = 0; i < BatchJobs; ++i)
                batch[std::size_t(i)] = nlohmann::json::parse(texts[std::size_t(b * BatchJobs + i)]);
            const double start = threadCpuMicros();
            const double startCount = counter.read();
            for (const nlohmann::json &job : batch)
                engine.classify(job, &answer);
            counted += counter.read() - startCount;
            micros += threadCpuMicros() - start;
        }
        lua.push_back(micros / (batches * BatchJobs));
        instructions.push_back(counted / (batches * BatchJobs));
    }
    out << QStringLiteral("in the worker, CPU time per result (n = %1, %2 runs of %3 jobs):")
               .arg(HistoryLength)
               .arg(runs)
               .arg(jobCount)
        << Qt::endl;
    out << QStringLiteral("  Lua (inputs, run, answer):     median %1 µs, p90 %2 µs  (target ≤ 5 µs median)")
               .arg(percentile(lua, 0.5), 0, 'f', 2)
               .arg(percentile(lua, 0.9), 0, 'f', 2)
        << Qt::endl;
    if (counter.available())
        out << QStringLiteral("  Lua, instructions per result:  median %1")
                   .arg(percentile(instructions, 0.5), 0, 'f', 0)
            << Qt::endl;
    if (onlyLua)
        return percentile(lua, 0.5);
    std::vector<double> whole;
    std::string reply;
    for (int run = 0; run < runs; ++run) {
        const double start = threadCpuMicros();
        for (int b = 0; b < batches; ++b)
            engine.handleBatch(batchFrame, &reply);
        whole.push_back((threadCpuMicros() - start) / (batches * BatchJobs));
    }
    out << QStringLiteral("  whole batch of 100 (JSON in and out): median %1 µs, p90 %2 µs")
               .arg(percentile(whole, 0.5), 0, 'f', 2)
               .arg(percentile(whole, 0.9), 0, 'f', 2)
        << Qt::endl;
    return percentile(lua, 0.5);
}

void throughWorker(QTextStream &out, const QString &program, const QString &source, int jobCount, int runs,
                   double luaMicros)
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
        const double endMedian = percentile(endToEnd, 0.5);
        const double workerMedian = percentile(worker, 0.5);
        out << QStringLiteral("  batches of %1: end to end %2 µs = classification %3 + boundary %4 (p90 %5), "
                              "the boundary being the worker's JSON and framing %6 and the core's side and "
                              "the pipe %7; core CPU %8 µs  [median of %9 runs of %10]")
                   .arg(batchSize, 3)
                   .arg(endMedian, 0, 'f', 2)
                   .arg(luaMicros, 0, 'f', 2)
                   .arg(endMedian - luaMicros, 0, 'f', 2)
                   .arg(percentile(endToEnd, 0.9) - luaMicros, 0, 'f', 2)
                   .arg(workerMedian - luaMicros, 0, 'f', 2)
                   .arg(percentile(boundary, 0.5), 0, 'f', 2)
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
    parser.addOption({QStringLiteral("classifier"), QStringLiteral("Another classifier than disk's."),
                      QStringLiteral("FILE"), QStringLiteral(PROPHASIS_DISK_CLASSIFIER)});
    parser.addOption({QStringLiteral("history"), QStringLiteral("Results per job (n)."), QStringLiteral("N"),
                      QStringLiteral("10")});
    parser.addOption({QStringLiteral("metrics"), QStringLiteral("Metrics per result."), QStringLiteral("M"),
                      QStringLiteral("4")});
    parser.addOption({QStringLiteral("part"), QStringLiteral("lua: only the Lua part (for a profiler)."),
                      QStringLiteral("PART"), QStringLiteral("all")});
    parser.process(app);
    const int jobCount = std::max(100, parser.value(QStringLiteral("jobs")).toInt());
    const int runs = std::max(10, parser.value(QStringLiteral("runs")).toInt());
    HistoryLength = std::clamp(parser.value(QStringLiteral("history")).toInt(), 1, 1000);
    MetricCount = std::clamp(parser.value(QStringLiteral("metrics")).toInt(), 0, 100);

    QFile file(parser.value(QStringLiteral("classifier")));
    if (!file.open(QIODevice::ReadOnly)) {
        qCritical("cannot read %s", qPrintable(file.fileName()));
        return 1;
    }
    const QString source = QString::fromUtf8(file.readAll());
    QTextStream out(stdout);
    const bool onlyLua = parser.value(QStringLiteral("part")) == QStringLiteral("lua");
    const double luaMicros = inWorker(out, source, jobCount, runs, onlyLua);
    if (!onlyLua)
        throughWorker(out, parser.value(QStringLiteral("worker")), source, jobCount, runs, luaMicros);
    return 0;
}
