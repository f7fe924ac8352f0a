#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include "daemon-agent/luaworker/luaworkerclient.h"
#include "shared/luasandbox/framecodec.h"
#include "tests/support/processgone.h"

using namespace prophasis;
using prophasis::test::processGone;

namespace {

const QString WorkerProgram = QStringLiteral(PROPHASIS_LUA_WORKER);
// How long a test waits for an answer; runs take milliseconds, the budget tests a fraction of a second.
constexpr int WaitMs = 30000;
constexpr int RunTimeoutMs = 10000;

QByteArray frame(const QByteArray &payload)
{
    const std::optional<std::string> encoded =
        encodeLuaFrame(std::string_view(payload.constData(), static_cast<std::size_t>(payload.size())));
    return encoded ? QByteArray::fromStdString(*encoded) : QByteArray();
}

QByteArray header(quint32 length)
{
    QByteArray bytes(4, '\0');
    bytes[0] = char((length >> 24) & 0xff);
    bytes[1] = char((length >> 16) & 0xff);
    bytes[2] = char((length >> 8) & 0xff);
    bytes[3] = char(length & 0xff);
    return bytes;
}

} // namespace

class TestLuaWorker : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<LuaWorkerClient> m_client;
    int m_scripts = 0;

    QString writeFile(const QString &relativePath, const QByteArray &content)
    {
        const QString path = m_dir.filePath(relativePath);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return relativePath;
    }

    QString writeScript(const QByteArray &code)
    {
        return writeFile(QStringLiteral("script-%1.lua").arg(++m_scripts), code);
    }

    LuaRunRequest request(const QString &entry, const QJsonObject &arguments = {},
                          int timeoutMs = RunTimeoutMs, const QString &directory = {})
    {
        LuaRunRequest run;
        run.pluginId =
            QStringLiteral("org.prophasis.test.") + QFileInfo(entry).baseName().remove(QLatin1Char('-'));
        run.directory = directory.isEmpty() ? m_dir.path() : directory;
        run.entry = entry;
        run.arguments = arguments;
        run.version = QStringLiteral("1.2.3");
        run.timeoutMs = timeoutMs;
        return run;
    }

    RunResult run(const LuaRunRequest &request)
    {
        // Shared, so a late answer after a failed wait writes nowhere dangerous.
        auto result = std::make_shared<std::optional<RunResult>>();
        m_client->run(request, [result](RunResult answer) { *result = std::move(answer); });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, WaitMs))
            return RunResult::failure(QStringLiteral("test"),
                                      QStringLiteral("no answer within %1 ms").arg(WaitMs));
        return **result;
    }

    RunResult runScript(const QByteArray &code, const QJsonObject &arguments = {},
                        int timeoutMs = RunTimeoutMs)
    {
        return run(request(writeScript(code), arguments, timeoutMs));
    }

    // Runs a trivial plugin and returns the worker's pid (0 when the run failed).
    qint64 healthyWorkerPid()
    {
        const RunResult result = runScript("return {value = 1, message = 'alive'}");
        if (!result.error.isEmpty() || result.value != 1.0)
            return 0;
        return m_client->workerPid();
    }

private Q_SLOTS:
    void stateFolderKeepsWhatAPluginWrites()
    {
        const QString state = m_dir.filePath(QStringLiteral("state-of-a-plugin"));
        QVERIFY(QDir().mkpath(state));
        const QString script = writeScript(R"(
            local previous = prophasis.read_file(prophasis.state_dir .. "/position")
            local count = tonumber(previous or "0") + 1
            assert(prophasis.write_file("position", tostring(count)))
            -- Only plain names inside the state folder: never a path out of it.
            local escaped, why = prophasis.write_file("../escape", "x")
            assert(escaped == nil and why:find("plain file name"))
            assert(prophasis.write_file("/tmp/escape", "x") == nil)
            assert(prophasis.write_file(".hidden", "x") == nil)
            return {value = count, message = "run " .. count})");
        LuaRunRequest first = request(script);
        first.stateDirectory = state;
        QCOMPARE(run(first).value, std::optional<double>(1));
        QCOMPARE(run(first).value, std::optional<double>(2)); // kept across runs
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("escape"))));
        QVERIFY(!QFile::exists(state + QStringLiteral("/position.tmp")));
        // Without a state folder there is nothing to write to.
        const RunResult stateless = runScript("local ok, why = prophasis.write_file('x', 'y')\n"
                                              "return {value = ok and 1 or 0, message = why or ''}");
        QCOMPARE(stateless.value, std::optional<double>(0));
        QVERIFY(stateless.message.contains(QStringLiteral("no state folder")));
    }

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo(WorkerProgram).isExecutable(), qPrintable(WorkerProgram));
    }

    void init() { m_client = std::make_unique<LuaWorkerClient>(WorkerProgram); }
    void cleanup() { m_client.reset(); }

    // --- the frame format ---

    void framesCarryABigEndianLength()
    {
        QCOMPARE(frame("{}"), QByteArray("\0\0\0\x02{}", 6));
        const QByteArray payload(300, 'x');
        QCOMPARE(frame(payload), header(300) + payload);
        QVERIFY(!encodeLuaFrame(std::string_view()));
        QVERIFY(!encodeLuaFrame(std::string(MaxLuaFrameBytes + 1, 'x')));
        QVERIFY(encodeLuaFrame(std::string(MaxLuaFrameBytes, 'x')));
    }

    void framesAreDecodedInAnySplit()
    {
        const QByteArray stream = frame("{\"a\":1}") + frame("{\"b\":2}") + frame("{}");
        for (int chunk : {1, 3, 7, int(stream.size())}) {
            LuaFrameDecoder decoder;
            QStringList frames;
            std::string payload;
            for (qsizetype i = 0; i < stream.size(); i += chunk) {
                const QByteArray piece = stream.mid(i, chunk);
                decoder.feed(std::string_view(piece.constData(), std::size_t(piece.size())));
                while (decoder.next(&payload) == LuaFrameDecoder::Status::Frame)
                    frames.append(QString::fromStdString(payload));
            }
            QCOMPARE(frames, QStringList({QStringLiteral("{\"a\":1}"), QStringLiteral("{\"b\":2}"),
                                          QStringLiteral("{}")}));
            QCOMPARE(decoder.buffered(), std::size_t(0));
        }
    }

    void badLengthsAreMalformed()
    {
        std::string payload;
        for (quint32 length : {quint32(0), quint32(MaxLuaFrameBytes + 1), quint32(0xffffffff)}) {
            LuaFrameDecoder decoder;
            const QByteArray bytes = header(length) + "{}";
            decoder.feed(std::string_view(bytes.constData(), std::size_t(bytes.size())));
            QCOMPARE(decoder.next(&payload), LuaFrameDecoder::Status::Malformed);
            QCOMPARE(decoder.next(&payload), LuaFrameDecoder::Status::Malformed); // and stays so
        }
        LuaFrameDecoder decoder;
        const QByteArray partial = header(10) + "{\"a\"";
        decoder.feed(std::string_view(partial.constData(), std::size_t(partial.size())));
        QCOMPARE(decoder.next(&payload), LuaFrameDecoder::Status::NeedMore);
        QCOMPARE(decoder.buffered(), std::size_t(partial.size()));
    }

    // --- the plugin contract ---

    void returnsValueMessageStatusAndMetrics()
    {
        const RunResult result = runScript(R"(
            return {
                value = 42.5, message = "all fine", status = "warning",
                metrics = { load1 = 0.25, ["/var"] = { value = 81, unit = "%" }, dropped = 0/0 },
            })");
        QCOMPARE(result.error, QString());
        QCOMPARE(result.value, std::optional<double>(42.5));
        QCOMPARE(result.message, QStringLiteral("all fine"));
        QCOMPARE(result.status, PluginStatus::Warning);
        QCOMPARE(result.metrics, QList<Metric>({{QStringLiteral("/var"), 81, QStringLiteral("%")},
                                                {QStringLiteral("load1"), 0.25, QString()}}));
        QCOMPARE(result.pluginVersion, QStringLiteral("1.2.3"));
        QVERIFY(result.durationMs >= 0);
        QVERIFY(!result.truncated);

        const RunResult empty = runScript("return {}");
        QCOMPARE(empty.error, QString());
        QVERIFY(!empty.value);
        QCOMPARE(empty.status, PluginStatus::None);

        const RunResult longMessage = runScript("return {message = string.rep('x', 10000)}");
        QCOMPARE(longMessage.message.size(), 4096);
        QVERIFY(longMessage.truncated);
    }

    void readsFilesAndListsFolders()
    {
        writeFile(QStringLiteral("fixtures/mdstat"), "md0 : active raid1 sdb1[1] sda1[0]\n");
        writeFile(QStringLiteral("fixtures/b.txt"), "b");
        QDir(m_dir.path()).mkpath(QStringLiteral("fixtures/sub"));
        const RunResult result =
            runScript(R"(
            local text = prophasis.read_file("fixtures/mdstat")
            local absolute = prophasis.read_file(prophasis.args.path)
            local head = prophasis.read_file("fixtures/mdstat", 3)
            local missing, err = prophasis.read_file("no-such-file")
            local names = prophasis.list_dir("fixtures")
            local nothing, listErr = prophasis.list_dir("no-such-folder")
            return {
                value = #text,
                message = table.concat(names, ",") .. "|" .. head .. "|" .. tostring(missing) .. "|" .. err
                    .. "|" .. tostring(nothing) .. "|" .. listErr,
                metrics = { same = text == absolute and 1 or 0, fifo = prophasis.read_file("/dev/null") and 1 or 0 },
            })",
                      {{QStringLiteral("path"), m_dir.filePath(QStringLiteral("fixtures/mdstat"))}});
        QCOMPARE(result.error, QString());
        QCOMPARE(result.value, std::optional<double>(35));
        const QStringList parts = result.message.split(QLatin1Char('|'));
        QCOMPARE(parts.size(), 6);
        QCOMPARE(parts[0], QStringLiteral("b.txt,mdstat,sub"));
        QCOMPARE(parts[1], QStringLiteral("md0"));
        QCOMPARE(parts[2], QStringLiteral("nil"));
        QVERIFY2(parts[3].contains(QStringLiteral("No such file")), qPrintable(parts[3]));
        QCOMPARE(parts[4], QStringLiteral("nil"));
        QVERIFY2(parts[5].contains(QStringLiteral("no-such-folder")), qPrintable(parts[5]));
        QCOMPARE(result.metrics.value(1).name, QStringLiteral("same"));
        QCOMPARE(result.metrics.value(1).value, 1.0);
        QCOMPARE(result.metrics.value(0).name, QStringLiteral("fifo")); // a device is not a regular file
        QCOMPARE(result.metrics.value(0).value, 0.0);
    }

    void runsCommands()
    {
        const RunResult result = runScript(R"(
            local echo = prophasis.run({"echo", "hello", "world"})
            local cat = prophasis.run({"cat"}, {stdin = "from stdin"})
            local failing = prophasis.run({"sh", "-c", "echo oops >&2; exit 3"})
            local big = prophasis.run({"sh", "-c", "yes | head -c 100000"}, {max_output = 1000})
            local pwd = prophasis.run({"pwd"})
            local none, err = prophasis.run({"/no/such/program"})
            return {
                message = echo.stdout .. "|" .. cat.stdout .. "|" .. failing.stderr .. "|" .. pwd.stdout .. "|" .. err,
                metrics = {
                    echo_exit = echo.exit_code, failing_exit = failing.exit_code,
                    big_length = #big.stdout, big_truncated = big.truncated and 1 or 0,
                    echo_timed_out = echo.timed_out and 1 or 0, none = none == nil and 1 or 0,
                },
            })");
        QCOMPARE(result.error, QString());
        const QStringList parts = result.message.split(QLatin1Char('|'));
        QCOMPARE(parts.size(), 5);
        QCOMPARE(parts[0], QStringLiteral("hello world\n"));
        QCOMPARE(parts[1], QStringLiteral("from stdin"));
        QCOMPARE(parts[2], QStringLiteral("oops\n"));
        QCOMPARE(parts[3], QDir(m_dir.path()).canonicalPath() + QLatin1Char('\n')); // the package folder
        QVERIFY2(parts[4].contains(QStringLiteral("cannot run '/no/such/program'")), qPrintable(parts[4]));
        const QList<Metric> expected = {
            {QStringLiteral("big_length"), 1000, {}}, {QStringLiteral("big_truncated"), 1, {}},
            {QStringLiteral("echo_exit"), 0, {}},     {QStringLiteral("echo_timed_out"), 0, {}},
            {QStringLiteral("failing_exit"), 3, {}},  {QStringLiteral("none"), 1, {}},
        };
        QCOMPARE(result.metrics, expected);
    }

    void aHangingCommandIsKilledWithItsGroup()
    {
        // The shell prints its background child's pid, then waits for ever.
        const RunResult result = runScript(R"(
            local r = prophasis.run({"sh", "-c", "sleep 600 & echo $!; wait"}, {timeout_ms = 300})
            return { message = r.stdout, metrics = { timed_out = r.timed_out and 1 or 0, signal = r.signal or 0,
                                                     has_exit_code = r.exit_code and 1 or 0 } })");
        QCOMPARE(result.error, QString());
        QCOMPARE(result.metrics.value(2).name, QStringLiteral("timed_out"));
        QCOMPARE(result.metrics.value(2).value, 1.0);
        QCOMPARE(result.metrics.value(1).value, double(SIGTERM));
        QCOMPARE(result.metrics.value(0).value, 0.0);
        QVERIFY2(result.durationMs < 5000, qPrintable(QString::number(result.durationMs)));
        bool ok = false;
        const qint64 sleeper = result.message.trimmed().toLongLong(&ok);
        QVERIFY2(ok && sleeper > 0, qPrintable(result.message));
        QTRY_VERIFY_WITH_TIMEOUT(processGone(sleeper), 5000);
    }

    void argumentsAreVisible()
    {
        const QJsonObject arguments = {
            {QStringLiteral("path"), QStringLiteral("/var")},
            {QStringLiteral("count"), 3},
            {QStringLiteral("ratio"), 0.5},
            {QStringLiteral("verbose"), true},
            {QStringLiteral("list"), QJsonArray{1, 2, 3}},
            {QStringLiteral("nested"), QJsonObject{{QStringLiteral("a"), QStringLiteral("b")}}},
        };
        const RunResult result = runScript(R"(
            local a = prophasis.args
            return { value = a.count + a.ratio,
                     message = a.path .. ":" .. tostring(a.verbose) .. ":" .. #a.list .. ":" .. a.nested.a
                         .. ":" .. math.type(a.count) })",
                                           arguments);
        QCOMPARE(result.error, QString());
        QCOMPARE(result.value, std::optional<double>(3.5));
        QCOMPARE(result.message, QStringLiteral("/var:true:3:b:integer"));
    }

    void hostFactsAndTime()
    {
        const RunResult result = runScript(R"(
            return { value = prophasis.now(), message = prophasis.os.name .. "," .. prophasis.os.hostname,
                     metrics = { cpus = prophasis.os.cpu_count, page = prophasis.os.page_size } })");
        QCOMPARE(result.error, QString());
        QVERIFY(result.value);
        QVERIFY(qAbs(*result.value - QDateTime::currentMSecsSinceEpoch() / 1000.0) < 60);
        QCOMPARE(result.message, QStringLiteral("linux,") + QSysInfo::machineHostName());
        QVERIFY(result.metrics.value(0).value >= 1);
        QVERIFY(result.metrics.value(1).value >= 4096);
    }

    void printAndLogDoNotDisturbTheProtocol()
    {
        const RunResult result = runScript(R"(
            print("to stdout?", 1, nil)
            for i = 1, 1000 do prophasis.log("line " .. i) end
            return { message = "still fine" })");
        QCOMPARE(result.error, QString());
        QCOMPARE(result.message, QStringLiteral("still fine"));
    }

    // --- isolation and reuse ---

    void pluginsDoNotSeeEachOthersGlobals()
    {
        QCOMPARE(runScript("leaked = 'from A'; string.secret = 1; math.pi = 3; return {message = 'A'}").error,
                 QString());
        const RunResult other = runScript("return {message = tostring(leaked) .. ',' .. "
                                          "tostring(string.secret) .. ',' .. tostring(rawget(_G, 'leaked'))"
                                          " .. ',' .. tostring(math.pi > 3.14)}");
        QCOMPARE(other.error, QString());
        QCOMPARE(other.message, QStringLiteral("nil,nil,nil,true"));
    }

    void aGlobalIsGoneInTheNextRun()
    {
        const QString entry = writeScript(R"(
            local before = string.upper ~= nil
            counter = (counter or 0) + 1
            string.upper = nil
            return { value = counter, message = tostring(before) .. ("abc"):upper() })");
        for (int i = 0; i < 3; ++i) {
            const RunResult result = run(request(entry));
            QCOMPARE(result.error, QString());
            QCOMPARE(result.value, std::optional<double>(1));
            QCOMPARE(result.message, QStringLiteral("trueABC"));
        }
    }

    void aScriptIsCompiledOnceUntilItChanges()
    {
        const QString entry = writeScript("return {value = 1}");
        QCOMPARE(run(request(entry)).value, std::optional<double>(1));
        // New code of the same size under the old mtime: the worker keeps running what it compiled.
        struct stat before;
        const QByteArray path = QFile::encodeName(m_dir.filePath(entry));
        QCOMPARE(::stat(path.constData(), &before), 0);
        writeFile(entry, "return {value = 7}");
        const timespec times[2] = {before.st_atim, before.st_mtim};
        QCOMPARE(::utimensat(AT_FDCWD, path.constData(), times, 0), 0);
        QCOMPARE(run(request(entry)).value, std::optional<double>(1));
        // A new mtime is a new script.
        writeFile(entry, "return {value = 2, message = 'changed'}");
        QCOMPARE(run(request(entry)).value, std::optional<double>(2));
        // The same entry in another package folder is another script.
        QTemporaryDir other;
        QFile file(other.filePath(entry));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write("return {value = 3}") > 0);
        file.close();
        QCOMPARE(run(request(entry, {}, RunTimeoutMs, other.path())).value, std::optional<double>(3));
        QCOMPARE(run(request(entry)).value, std::optional<double>(2));
    }

    void oneWorkerServesFiftyRuns()
    {
        const QString entry = writeScript("return {value = prophasis.args.n}");
        auto answers = std::make_shared<QList<std::pair<double, qint64>>>();
        LuaWorkerClient *client = m_client.get();
        for (int n = 0; n < 50; ++n) {
            m_client->run(request(entry, {{QStringLiteral("n"), n}}), [answers, client](RunResult result) {
                answers->append({result.value.value_or(-1), client->workerPid()});
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answers->size(), 50, WaitMs);
        const qint64 pid = answers->first().second;
        QVERIFY(pid > 0);
        for (int n = 0; n < 50; ++n) {
            QCOMPARE(answers->at(n).first, double(n)); // in order
            QCOMPARE(answers->at(n).second, pid);      // no process start per run
        }
    }

    // --- limits ---

    void anEndlessLoopUsesUpTheBudget()
    {
        const qint64 pid = healthyWorkerPid();
        QVERIFY(pid > 0);
        const RunResult result = runScript("while true do end");
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("instruction budget")), qPrintable(result.message));
        QCOMPARE(healthyWorkerPid(), pid);
    }

    void theLimitsAreSetPerRun()
    {
        // A million iterations fit the default budget, not a budget of 100,000 instructions.
        const QByteArray loop = "local n = 0 for i = 1, 1e6 do n = n + 1 end return {value = n}";
        QCOMPARE(runScript(loop).value, std::optional<double>(1e6));
        LuaRunRequest tight = request(writeScript(loop));
        tight.budgetInstructions = 100'000;
        RunResult result = run(tight);
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("instruction budget")), qPrintable(result.message));

        // A 4 MiB string fits the default 32 MiB, not a 1 MiB cap.
        const QByteArray big = "local s = string.rep('x', 4 * 1024 * 1024) return {value = #s}";
        QCOMPARE(runScript(big).value, std::optional<double>(4 * 1024 * 1024));
        LuaRunRequest small = request(writeScript(big));
        small.memoryLimitBytes = 1024 * 1024;
        result = run(small);
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("memory limit")), qPrintable(result.message));
    }

    void theBudgetCannotBeEscaped_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::newRow("pcall") << QByteArray("while true do pcall(function() while true do end end) end");
        QTest::newRow("pcall of error") << QByteArray("while true do pcall(error, 'x') end");
        QTest::newRow("xpcall handler") << QByteArray(
            "while true do xpcall(function() while true do end end, function(e) while true do end end) end");
        QTest::newRow("coroutine") << QByteArray("coroutine.wrap(function() while true do end end)()");
        QTest::newRow("fresh coroutines") << QByteArray(
            "while true do coroutine.resume(coroutine.create(function() while true do end end)) end");
        QTest::newRow("yielding coroutine")
            << QByteArray("local co = coroutine.create(function() while true do coroutine.yield() end end) "
                          "while true do coroutine.resume(co) end");
        QTest::newRow("callback from C")
            << QByteArray("string.gsub(string.rep('a', 10), 'a', function() while true do end end)");
        QTest::newRow("xpcall handler after the budget")
            << QByteArray("while true do xpcall(function() while true do end end, function(e) for i = 1, "
                          "1e12 do end end) end");
        QTest::newRow("nested coroutines")
            << QByteArray("local function spin() while true do coroutine.wrap(function() for i = 1, 100 do "
                          "end end)() end end "
                          "coroutine.wrap(function() coroutine.wrap(spin)() end)()");
    }

    void theBudgetCannotBeEscaped()
    {
        QFETCH(QByteArray, code);
        const RunResult result = runScript(code);
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("instruction budget")), qPrintable(result.message));
    }

    void memoryBombsHitTheCap_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::newRow("doubling string") << QByteArray("local s = 'x' while true do s = s .. s end");
        QTest::newRow("string.rep") << QByteArray("local s = string.rep('x', 1 << 30) return {value = #s}");
        QTest::newRow("huge table") << QByteArray(
            "local t = {} local i = 0 while true do i = i + 1 t[i] = i end");
        QTest::newRow("table of strings")
            << QByteArray("local t = {} for i = 1, 1e9 do t[i] = tostring(i) .. 'padding' end");
        QTest::newRow("in a coroutine")
            << QByteArray("local ok, err = coroutine.resume(coroutine.create(function() return "
                          "string.rep('x', 1 << 28) end)) "
                          "error(err, 0)");
    }

    void memoryBombsHitTheCap()
    {
        QFETCH(QByteArray, code);
        const qint64 pid = healthyWorkerPid();
        QVERIFY(pid > 0);
        const RunResult result = runScript(code);
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("memory limit")), qPrintable(result.message));
        QCOMPARE(healthyWorkerPid(), pid);
    }

    void aHangInsideCIsStoppedByTheClient()
    {
        const qint64 pid = healthyWorkerPid();
        QVERIFY(pid > 0);
        // No instruction hook fires inside pattern matching: only killing the worker ends this.
        const RunResult result =
            runScript("return {value = string.find(string.rep('a', 500), '.-.-.-.-b')}", {}, 500);
        QCOMPARE(result.error, QStringLiteral("timeout"));
        QVERIFY2(result.message.contains(QStringLiteral("500 ms")), qPrintable(result.message));
        QCOMPARE(result.pluginVersion, QStringLiteral("1.2.3"));
        QVERIFY(result.durationMs >= 500);
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 5000);
        const qint64 next = healthyWorkerPid();
        QVERIFY(next > 0);
        QVERIFY(next != pid);
    }

    // --- the sandbox ---

    void theSandboxLacksDangerousParts()
    {
        const RunResult result = runScript(R"(
            local present = {}
            for _, name in ipairs({"io", "os", "debug", "package", "require", "load", "loadstring", "dofile",
                                   "loadfile", "collectgarbage"}) do
                if _G[name] ~= nil then present[#present + 1] = name end
            end
            if string.dump ~= nil then present[#present + 1] = "string.dump" end
            if ("").dump ~= nil then present[#present + 1] = "(''):dump" end
            if type(getmetatable("")) == "table" then present[#present + 1] = "the string metatable" end
            -- Both would run plugin code where the instruction hook is off.
            if pcall(setmetatable, {}, {__gc = function() end}) then present[#present + 1] = "__gc" end
            if pcall(setmetatable, {}, {__close = function() end}) then present[#present + 1] = "__close" end
            return { message = table.concat(present, ",") })");
        QCOMPARE(result.error, QString());
        QCOMPARE(result.message, QString());
    }

    void bytecodeIsRefused()
    {
        const RunResult result = runScript("\x1bLua\x54\x00 not really bytecode");
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("binary chunk")), qPrintable(result.message));
    }

    // --- plugin errors ---

    void aSyntaxErrorNamesTheLine()
    {
        const QString entry = writeScript("local x = 1\nlocal y = 2\nlocal z = = 3\nreturn {}\n");
        const RunResult result = run(request(entry));
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.startsWith(QStringLiteral("syntax error: ")), qPrintable(result.message));
        QVERIFY2(result.message.contains(entry + QStringLiteral(":3:")), qPrintable(result.message));

        const QString failing = writeScript("local t = nil\nreturn t.x\n");
        const RunResult runtime = run(request(failing));
        QCOMPARE(runtime.error, QStringLiteral("plugin_error"));
        QVERIFY2(runtime.message.startsWith(QStringLiteral("runtime error: ")), qPrintable(runtime.message));
        QVERIFY2(runtime.message.contains(failing + QStringLiteral(":2:")), qPrintable(runtime.message));
    }

    void badResultsArePluginErrors_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<QString>("reason");
        QTest::newRow("number") << QByteArray("return 42") << QStringLiteral("must return a table");
        QTest::newRow("nothing") << QByteArray("local x = 1") << QStringLiteral("not nil");
        QTest::newRow("string value")
            << QByteArray("return {value = 'high'}") << QStringLiteral("value must be a number");
        QTest::newRow("bad status") << QByteArray("return {status = 'fine'}")
                                    << QStringLiteral("status must be");
        QTest::newRow("metric list") << QByteArray("return {metrics = {1, 2}}")
                                     << QStringLiteral("metric names");
        QTest::newRow("metric value")
            << QByteArray("return {metrics = {a = 'x'}}") << QStringLiteral("metric 'a'");
        QTest::newRow("error object") << QByteArray("error({})") << QStringLiteral("error object");
    }

    void badResultsArePluginErrors()
    {
        QFETCH(QByteArray, code);
        QFETCH(QString, reason);
        const RunResult result = runScript(code);
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(reason), qPrintable(result.message));
    }

    void aMissingScriptIsAPluginError()
    {
        const RunResult result = run(request(QStringLiteral("missing.lua")));
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("missing.lua")), qPrintable(result.message));
    }

    // --- supervision ---

    void aWorkerKilledBetweenRunsIsRestarted()
    {
        const qint64 pid = healthyWorkerPid();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->workerPid(), qint64(0), 5000);
        const qint64 next = healthyWorkerPid();
        QVERIFY(next > 0);
        QVERIFY(next != pid);
    }

    void aWorkerDyingMidRunIsReported()
    {
        const qint64 pid = healthyWorkerPid();
        QVERIFY(pid > 0);
        const RunResult result = runScript("prophasis.run({'sh', '-c', 'kill -9 $PPID; sleep 5'}) return {}");
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.startsWith(QStringLiteral("the Lua worker stopped")),
                 qPrintable(result.message));
        const qint64 next = healthyWorkerPid();
        QVERIFY(next > 0);
        QVERIFY(next != pid);
    }

    void aWorkerThatCannotStartFailsTheRun()
    {
        m_client = std::make_unique<LuaWorkerClient>(m_dir.filePath(QStringLiteral("no-such-worker")));
        const RunResult result = runScript("return {}");
        QCOMPARE(result.error, QStringLiteral("plugin_error"));
        QVERIFY2(result.message.contains(QStringLiteral("could not start")), qPrintable(result.message));
    }

    void malformedFramesEndTheWorker_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("end of input") << QByteArray() << 0;
        QTest::newRow("oversized length") << (header(0xffffffff) + "{}") << 2;
        QTest::newRow("zero length") << header(0) << 2;
        QTest::newRow("not JSON") << frame("not json") << 2;
        QTest::newRow("JSON array") << frame("[1, 2]") << 2;
        QTest::newRow("cut off") << (header(100) + "{\"id\": 1") << 2;
        QTest::newRow("garbage after a request") << (frame("{\"id\": 7}") + frame("{")) << 2;
    }

    void malformedFramesEndTheWorker()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, exitCode);
        QProcess worker;
        QSignalSpy finished(&worker, &QProcess::finished);
        worker.start(WorkerProgram, {});
        worker.write(input);
        worker.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, WaitMs);
        QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
        QCOMPARE(worker.exitCode(), exitCode);
    }

    void aBadRequestIsAnsweredAndTheWorkerGoesOn()
    {
        QProcess worker;
        worker.start(WorkerProgram, {});
        QVERIFY(worker.waitForStarted(WaitMs));
        worker.write(frame("{\"id\": 7, \"plugin_id\": \"x\"}"));
        LuaFrameDecoder decoder;
        std::string payload;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QByteArray data = worker.readAllStandardOutput();
                decoder.feed(std::string_view(data.constData(), std::size_t(data.size())));
                return decoder.next(&payload) == LuaFrameDecoder::Status::Frame;
            },
            WaitMs));
        const QJsonObject answer = QJsonDocument::fromJson(QByteArray::fromStdString(payload)).object();
        QCOMPARE(answer.value(QStringLiteral("id")).toInteger(), 7);
        QCOMPARE(answer.value(QStringLiteral("error")).toString(), QStringLiteral("plugin_error"));
        QVERIFY(answer.value(QStringLiteral("message")).toString().startsWith(QStringLiteral("bad request")));
        QCOMPARE(worker.state(), QProcess::Running);
        QSignalSpy finished(&worker, &QProcess::finished);
        worker.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, WaitMs);
        QCOMPARE(worker.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLuaWorker)
#include "tst_luaworker.moc"
