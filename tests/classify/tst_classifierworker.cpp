#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

#include <signal.h>

#include "daemon-core/classify/classifierengine.h"
#include "tests/classify/classifytesthelpers.h"
#include "tests/support/processgone.h"

using namespace prophasis;
using namespace prophasis::classifytest;
using prophasis::test::processGone;

namespace {

// A classifier that is right when the worker still works: 90 % is minor under the defaults.
const QString GoodSource = QStringLiteral(R"(
local verdict = failureRule()
if verdict then return verdict end
local warn = tonumber(vars.warn) or 85
if results[#results].value >= warn then return "minor" end
return "ok"
)");

ClassificationJob goodJob()
{
    return job(GoodSource, {success(40, 1), success(90, 2)});
}

// Hangs inside C, where no instruction hook fires: only the wall-clock kill stops it.
const QString PatternHang = QStringLiteral(R"(string.find(string.rep("a", 500), ".-.-.-.-b") return "ok")");

} // namespace

class TestClassifierWorker : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ClassifierWorkerClient> m_client;

    static ClassifierWorkerOptions options()
    {
        ClassifierWorkerOptions options;
        options.workerProgram = WorkerProgram;
        // Generous: budget and memory runs must end by their own limits, not the clock, on a
        // busy machine.
        options.jobTimeoutMs = 20000;
        options.restartBackoffMinMs = 10;
        return options;
    }

    void expectGoodClassifierStillRight()
    {
        const ClassificationOutcome outcome = classifyOne(*m_client, goodJob());
        QVERIFY2(!outcome.failed(), qPrintable(outcome.error));
        QCOMPARE(outcome.state, State::Minor);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(WorkerProgram), qPrintable(WorkerProgram)); }

    void init() { m_client = std::make_unique<ClassifierWorkerClient>(options()); }
    void cleanup() { m_client.reset(); }

    void aGoodClassifierClassifies()
    {
        expectGoodClassifierStillRight();
        const ClassificationOutcome ok = classifyOne(*m_client, job(GoodSource, {success(10)}));
        QCOMPARE(ok.state, State::Ok);
        QVERIFY(!ok.failed());
        QCOMPARE(classifyOne(*m_client, job(QStringLiteral("return 'unknown'"))).state, State::Unknown);
        QVERIFY(!classifyOne(*m_client, job(QStringLiteral("return 'unknown'"))).failed());
    }

    void hostileClassifiersAreUnknown_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("reason");

        const QString budget = QStringLiteral("instruction budget of 1000000 instructions");
        const QString memory = QStringLiteral("memory limit of 8388608 bytes");
        QTest::newRow("infinite loop") << QStringLiteral("while true do end") << budget;
        QTest::newRow("loop inside pcall")
            << QStringLiteral("while true do pcall(function() while true do end end) end") << budget;
        QTest::newRow("loop in an xpcall handler")
            << QStringLiteral(
                   "xpcall(function() error('x') end, function() while true do end end) return 'ok'")
            << budget;
        QTest::newRow("loop inside a coroutine")
            << QStringLiteral("coroutine.wrap(function() while true do end end)() return 'ok'") << budget;
        QTest::newRow("coroutine resumed in a loop")
            << QStringLiteral(
                   "local co = coroutine.create(function() while true do coroutine.yield() end end) "
                   "while true do coroutine.resume(co) end")
            << budget;
        QTest::newRow("fresh coroutines in a loop")
            << QStringLiteral("while true do pcall(coroutine.wrap(function() while true do end end)) end")
            << budget;
        QTest::newRow("string.rep memory bomb")
            << QStringLiteral("local s = string.rep('x', 1e9) return 'ok'") << memory;
        QTest::newRow("memory bomb caught and carried on")
            << QStringLiteral("local ok = pcall(string.rep, 'x', 1e9) "
                              "local t = {} for i = 1, 100 do t[i] = {i} end return 'ok'")
            << memory;
        QTest::newRow("memory bomb in a coroutine")
            << QStringLiteral("local ok, e = coroutine.resume(coroutine.create(function() "
                              "return string.rep('y', 1e9) end)) return 'ok'")
            << memory;
        QTest::newRow("os") << QStringLiteral("return os.time() and 'ok'") << QStringLiteral("'os'");
        QTest::newRow("io") << QStringLiteral("io.write('x') return 'ok'") << QStringLiteral("'io'");
        QTest::newRow("load") << QStringLiteral("return load('return \"ok\"')()") << QStringLiteral("'load'");
        QTest::newRow("loadstring") << QStringLiteral("return loadstring('return 1')()")
                                    << QStringLiteral("'loadstring'");
        QTest::newRow("dofile") << QStringLiteral("return dofile('/etc/passwd')")
                                << QStringLiteral("'dofile'");
        QTest::newRow("require") << QStringLiteral("local os = require('os') return 'ok'")
                                 << QStringLiteral("'require'");
        QTest::newRow("package") << QStringLiteral("return package.loaded.os and 'ok'")
                                 << QStringLiteral("'package'");
        QTest::newRow("debug") << QStringLiteral("debug.sethook() return 'ok'") << QStringLiteral("'debug'");
        QTest::newRow("collectgarbage")
            << QStringLiteral("collectgarbage('stop') return 'ok'") << QStringLiteral("'collectgarbage'");
        QTest::newRow("string.dump") << QStringLiteral("return string.dump(function() end) and 'ok'")
                                     << QStringLiteral("'dump'");
        QTest::newRow("dump through a string")
            << QStringLiteral("return ('').dump(function() end) and 'ok'") << QStringLiteral("'dump'");
        QTest::newRow("bytecode chunk")
            << QStringLiteral("\x1bLua\x54\x00\x19\x93\r\n\x1a\n") << QStringLiteral("binary chunk");
        QTest::newRow("strings' metatable")
            << QStringLiteral("getmetatable('').__index = {upper = function() return 'x' end} return 'ok'")
            << QStringLiteral("boolean value");
        QTest::newRow("a library function") << QStringLiteral("string.upper = nil return 'ok'")
                                            << QStringLiteral("the string library is read-only");
        QTest::newRow("a library through rawset") << QStringLiteral("rawset(math, 'floor', nil) return 'ok'")
                                                  << QStringLiteral("read-only library");
        QTest::newRow("a library's metatable")
            << QStringLiteral("setmetatable(table, {}) return 'ok'") << QStringLiteral("protected metatable");
        QTest::newRow("the environment's metatable")
            << QStringLiteral("setmetatable(_G, nil) return 'ok'") << QStringLiteral("protected metatable");
        QTest::newRow("a finalizer") << QStringLiteral(
                                            "setmetatable({}, {__gc = function() end}) return 'ok'")
                                     << QStringLiteral("__gc metamethods");
        QTest::newRow("returns nil") << QStringLiteral("local x = 1")
                                     << QStringLiteral("returned nothing (nil)");
        QTest::newRow("returns a number")
            << QStringLiteral("return 3") << QStringLiteral("returned the number 3");
        QTest::newRow("returns degraded")
            << QStringLiteral("return 'degraded'") << QStringLiteral("returned 'degraded'");
        QTest::newRow("returns a table")
            << QStringLiteral("return {'ok'}") << QStringLiteral("returned a table");
        QTest::newRow("returns OK") << QStringLiteral("return 'OK'") << QStringLiteral("returned 'OK'");
        QTest::newRow("syntax error")
            << QStringLiteral("local x = 1\nreturn ((") << QStringLiteral("does not compile: classifier:2:");
        QTest::newRow("runtime error") << QStringLiteral("local x = nil\n\nreturn x.field")
                                       << QStringLiteral("runtime error: classifier:3:");
        QTest::newRow("error object")
            << QStringLiteral("error({})") << QStringLiteral("an error object of type table");
    }

    void hostileClassifiersAreUnknown()
    {
        QFETCH(QString, source);
        QFETCH(QString, reason);
        const ClassificationOutcome outcome = classifyOne(*m_client, job(source));
        QCOMPARE(outcome.state, State::Unknown);
        QVERIFY2(outcome.error.contains(reason), qPrintable(outcome.error));
        expectGoodClassifierStillRight();
        // Each failure is counted once; the worker survived all of them.
        QCOMPARE(m_client->counters().failures, quint64(1));
        QCOMPARE(m_client->counters().restarts, quint64(0));
    }

    void changesStayInsideOneClassifierAndOneJob()
    {
        // Tries every way to leave something behind, then checks that it did not itself.
        const QString meddler = QStringLiteral(R"(
if leaked ~= nil or rawget(_G, "leaked") ~= nil then return "critical" end
pcall(function() getmetatable("").__index = {upper = function() return "hijacked" end} end)
pcall(function() string.upper = function() return "hijacked" end end)
pcall(rawset, string, "lower", nil)
pcall(setmetatable, _G, {__index = function() return "hijacked" end})
pcall(function() arrayMax = function() return 1e9 end end)
leaked = true
_G.alsoLeaked = true
return "ok"
)");
        const QString victim = QStringLiteral(R"(
if leaked ~= nil or alsoLeaked ~= nil then return "critical" end
if ("abc"):upper() ~= "ABC" or string.upper("a") ~= "A" or string.lower("A") ~= "a" then return "major" end
if arrayMax({1, 2}) ~= 2 then return "minor" end
return "ok"
)");
        const std::vector<ClassificationOutcome> outcomes =
            classifyAll(*m_client, {job(meddler), job(victim), job(meddler), job(victim)});
        for (const ClassificationOutcome &outcome : outcomes) {
            QVERIFY2(!outcome.failed(), qPrintable(outcome.error));
            QCOMPARE(outcome.state, State::Ok);
        }
    }

    void aPatternMatchingHangIsStoppedByTheClock()
    {
        ClassifierWorkerOptions fast = options();
        fast.jobTimeoutMs = 500;
        fast.batchTimeoutPerJobMs = 0;
        m_client = std::make_unique<ClassifierWorkerClient>(fast);
        // One batch: the hang is found by running each job alone, and only it is unknown.
        const std::vector<ClassificationOutcome> outcomes =
            classifyAll(*m_client, {goodJob(), job(PatternHang), goodJob()});
        QCOMPARE(outcomes[0].state, State::Minor);
        QVERIFY2(!outcomes[0].failed(), qPrintable(outcomes[0].error));
        QCOMPARE(outcomes[1].state, State::Unknown);
        QVERIFY2(outcomes[1].error.contains(
                     QStringLiteral("classifier stopped after its wall-clock limit of 500 ms")),
                 qPrintable(outcomes[1].error));
        QCOMPARE(outcomes[2].state, State::Minor);
        QVERIFY2(!outcomes[2].failed(), qPrintable(outcomes[2].error));
        QCOMPARE(m_client->counters().timeouts, quint64(1));
        QVERIFY(m_client->counters().restarts >= 2); // the batch's overrun and the lone hang
        expectGoodClassifierStillRight();
    }

    void inputsArriveInTheDocumentedOrderAndShape()
    {
        const QString probe = QStringLiteral(R"(
assert(#results == 3, "three results")
assert(results[1].time == 1700000000.25 and results[2].time == 1700000060 and results[3].time == 1700000120, "times, oldest first")
assert(results[1].type == "success" and results[2].type == "success" and results[3].type == "timeout", "types")
assert(results[1].value == 10 and results[2].value == 20 and results[3].value == nil, "values")
assert(results[1].message == 'first "q" ' .. string.char(92, 32, 10, 9, 1) .. ' end' and results[2].message == "zweite ✓" and results[3].message == "", "messages")
assert(results[1].status == nil and results[2].status == "warning", "statuses")
assert(results[1].metrics.load1 == 0.5 and results[1].metrics["/var"] == 81, "metrics")
assert(type(results[3].metrics) == "table" and next(results[3].metrics) == nil, "failed runs have empty metrics")
assert(results[1].check == nil, "results carry no check")
assert(args.path == "/var" and args.depth == 3 and args.flag == true and args.nested.list[2] == "b", "args")
assert(vars.disk_warn == "80" and vars.missing == nil, "vars")
local cpu = others["org.prophasis.cpu_load"]
assert(cpu and cpu.value == 42 and cpu.check == "CPU check" and cpu.metrics.cpus == 4, "others with a check")
local memory = others["org.prophasis.memory"]
assert(memory and memory.type == "connection_error" and memory.value == nil and memory.check == nil, "others without")
assert(arrayMax(results, "value") == 20 and arrayMin(results, "value") == 10, "arrayMax, arrayMin")
assert(arraySum(results, "value") == 30 and arrayAvg(results, "value") == 15, "arraySum, arrayAvg")
assert(arrayContains(results, "timeout", "type") and arrayCount(results, "success", "type") == 2, "arrayContains, arrayCount")
assert(math.abs(trend() - 10 / 59.75) < 1e-9, "trend over results")
assert(failureRule() == "unknown" and failureRule({results[1]}) == nil, "failureRule")
assert(_G.results == results, "_G")
return "ok"
)");
        CheckResult first = success(
            10, 0,
            {{QStringLiteral("load1"), 0.5, QString()}, {QStringLiteral("/var"), 81, QStringLiteral("%")}});
        first.time = QDateTime::fromMSecsSinceEpoch(1700000000250LL, Qt::UTC);
        first.message = QStringLiteral("first \"q\" \\ \n\t\x01 end"); // every kind of escape
        CheckResult second = success(20, 1);
        second.message = QStringLiteral("zweite ✓");
        second.status = PluginStatus::Warning;
        CheckResult third = failure(ResultType::Timeout, 2);
        third.message.clear();
        ClassificationJob probeJob = job(probe, {first, second, third});
        probeJob.arguments = {
            {QStringLiteral("path"), QStringLiteral("/var")},
            {QStringLiteral("depth"), 3},
            {QStringLiteral("flag"), true},
            {QStringLiteral("nested"),
             QJsonObject{{QStringLiteral("list"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")}}}}};
        probeJob.variables = {{QStringLiteral("disk_warn"), QStringLiteral("80")}};
        probeJob.others.insert(QStringLiteral("org.prophasis.cpu_load"),
                               success(42, 2, {{QStringLiteral("cpus"), 4, QString()}}));
        probeJob.others.insert(QStringLiteral("org.prophasis.memory"),
                               failure(ResultType::ConnectionError, 2));
        probeJob.otherChecks.insert(QStringLiteral("org.prophasis.cpu_load"), QStringLiteral("CPU check"));
        const ClassificationOutcome outcome = classifyOne(*m_client, probeJob);
        QVERIFY2(!outcome.failed(), qPrintable(outcome.error));
        QCOMPARE(outcome.state, State::Ok);
    }

    void batchesKeepTheOrderAndAnswerLater()
    {
        const QString byValue = QStringLiteral(R"(
local v = results[#results].value
return ({[0] = "ok", "minor", "major", "critical", "unknown"})[v % 5]
)");
        const QList<State> expected = {State::Ok, State::Minor, State::Major, State::Critical,
                                       State::Unknown};
        QList<ClassificationJob> jobs;
        for (int i = 0; i < 300; ++i) // two sources, so the batch also carries both
            jobs.append(job(i % 2 ? byValue : byValue + QStringLiteral("\n-- twin"), {success(i)}));

        bool answeredInside = false;
        bool inside = true;
        m_client->classify(goodJob(), [&](const ClassificationOutcome &) { answeredInside = inside; });
        inside = false;
        std::vector<int> order;
        const std::vector<ClassificationOutcome> outcomes = classifyAll(*m_client, jobs, &order);
        QVERIFY(!answeredInside);
        QCOMPARE(int(order.size()), 300);
        for (int i = 0; i < 300; ++i) {
            QCOMPARE(order[std::size_t(i)], i);
            QCOMPARE(outcomes[std::size_t(i)].state, expected[i % 5]);
            QVERIFY2(!outcomes[std::size_t(i)].failed(), qPrintable(outcomes[std::size_t(i)].error));
        }
        // 301 jobs submitted in one turn: one batch of 200, then the rest in the next.
        QCOMPARE(m_client->counters().batches, quint64(2));
        QCOMPARE(m_client->counters().jobs, quint64(301));
    }

    void aWorkerKilledBetweenBatchesIsRestarted()
    {
        expectGoodClassifierStillRight();
        const qint64 pid = m_client->workerPid();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return m_client->workerPid() != pid; }, WaitMs));
        expectGoodClassifierStillRight();
        QVERIFY(m_client->workerPid() > 0);
        QVERIFY(m_client->workerPid() != pid);
        QCOMPARE(m_client->counters().restarts, quint64(1));
    }

    void aWorkerKilledMidBatchAnswersWithTheReason()
    {
        auto outcome = std::make_shared<std::optional<ClassificationOutcome>>();
        m_client->classify(job(PatternHang), [outcome](const ClassificationOutcome &o) { *outcome = o; });
        QVERIFY(QTest::qWaitFor([&] { return m_client->workerPid() > 0; }, WaitMs));
        const qint64 pid = m_client->workerPid();
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return outcome->has_value(); }, WaitMs));
        QCOMPARE((*outcome)->state, State::Unknown);
        QVERIFY2((*outcome)->error.contains(QStringLiteral("killed or crashed")),
                 qPrintable((*outcome)->error));
        expectGoodClassifierStillRight();
        QVERIFY(processGone(pid));
    }

    void aFullQueueAnswersUnknownInOrder()
    {
        ClassifierWorkerOptions small = options();
        small.maxQueuedJobs = 2;
        m_client = std::make_unique<ClassifierWorkerClient>(small);
        std::vector<int> order;
        const std::vector<ClassificationOutcome> outcomes =
            classifyAll(*m_client, {goodJob(), goodJob(), goodJob(), goodJob()}, &order);
        QCOMPARE(order, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(outcomes[0].state, State::Minor);
        QCOMPARE(outcomes[1].state, State::Minor);
        for (int i : {2, 3}) {
            QCOMPARE(outcomes[std::size_t(i)].state, State::Unknown);
            QCOMPARE(outcomes[std::size_t(i)].error, QStringLiteral("classification queue full"));
        }
        QCOMPARE(m_client->counters().queueOverflows, quint64(2));
    }

    void aMissingWorkerProgramAnswersUnknown()
    {
        ClassifierWorkerOptions missing = options();
        missing.workerProgram = QStringLiteral("/nonexistent/prophasis-core-classifier");
        m_client = std::make_unique<ClassifierWorkerClient>(missing);
        const std::vector<ClassificationOutcome> outcomes = classifyAll(*m_client, {goodJob(), goodJob()});
        for (const ClassificationOutcome &outcome : outcomes) {
            QCOMPARE(outcome.state, State::Unknown);
            QVERIFY2(outcome.error.contains(QStringLiteral("could not start")), qPrintable(outcome.error));
        }
    }

    void stopAnswersEverythingAndRefusesMore()
    {
        auto answers = std::make_shared<QStringList>();
        for (int i = 0; i < 3; ++i)
            m_client->classify(goodJob(),
                               [answers](const ClassificationOutcome &o) { answers->append(o.error); });
        m_client->stop();
        QCOMPARE(answers->size(), 3);
        for (const QString &error : *answers)
            QCOMPARE(error, QStringLiteral("classification was stopped"));
        QCOMPARE(m_client->workerPid(), qint64(0));
        const ClassificationOutcome after = classifyOne(*m_client, goodJob());
        QCOMPARE(after.state, State::Unknown);
        QCOMPARE(after.error, QStringLiteral("classification is stopped"));
    }

    void aSourceTheWorkerDroppedIsSentAgain()
    {
        ClassifierWorkerOptions tight = options();
        tight.maxStates = 1;
        tight.maxSources = 1;
        m_client = std::make_unique<ClassifierWorkerClient>(tight);
        const QString other = QStringLiteral("return 'major'");
        // One batch each: the worker holds one source at a time, the client thinks it holds both.
        QCOMPARE(classifyOne(*m_client, goodJob()).state, State::Minor);
        QCOMPARE(classifyOne(*m_client, job(other)).state, State::Major);
        const ClassificationOutcome again = classifyOne(*m_client, goodJob());
        QVERIFY2(!again.failed(), qPrintable(again.error));
        QCOMPARE(again.state, State::Minor);
        // The third job went twice: answered "missing", then sent with its source.
        QCOMPARE(m_client->counters().batches, quint64(4));
        QCOMPARE(m_client->counters().restarts, quint64(0));
    }

    // The worker keeps a bounded number of states and sources; what it dropped is asked for again.
    void theEngineDropsTheLeastRecentlyUsed()
    {
        ClassifierEngineOptions bounded;
        bounded.maxStates = 2;
        bounded.maxSources = 2;
        ClassifierEngine engine(bounded);
        const nlohmann::json results = nlohmann::json::parse(R"([[1700000000, "success", 5, "", null, {}]])");
        auto run = [&](const char *key) {
            ClassifierAnswer answer;
            engine.classify({{"key", key}, {"results", results}}, &answer);
            return answer;
        };
        engine.addSource("a", "return 'ok'");
        engine.addSource("b", "return 'minor'");
        QCOMPARE(run("a").state, std::string("ok"));
        QCOMPARE(run("b").state, std::string("minor"));
        engine.addSource("c", "return 'major'"); // "a" is the least recently used
        QCOMPARE(run("c").state, std::string("major"));
        QCOMPARE(engine.stateCount(), std::size_t(2));
        QVERIFY(run("a").missingSource);
        QCOMPARE(run("b").state, std::string("minor"));
    }
};

QTEST_GUILESS_MAIN(TestClassifierWorker)
#include "tst_classifierworker.moc"
