-- Builds a fake /proc from fixtures/proc.txt.
local function fakeProc(root)
    root = root or "/proc"
    local files, names = {}, { "self", "thread-self", "net", "sys", "meminfo", "uptime" }
    for line in h.fixture("proc.txt"):gmatch("[^\n]+") do
        if not line:match("^#") then
            local pid, state, comm, argv = line:match("^(%d+)\t(%a)\t([^\t]+)\t(.*)$")
            names[#names + 1] = pid
            files[root .. "/" .. pid .. "/comm"] = comm .. "\n"
            files[root .. "/" .. pid .. "/cmdline"] = argv == "" and "" or (argv:gsub("|", "\0") .. "\0")
            files[root .. "/" .. pid .. "/stat"] = pid .. " (" .. comm .. ") " .. state .. " 1 1 1 0 -1 4194560"
        end
    end
    names[#names + 1] = "77777" -- listed, but exited before its files were read
    return files, { [root] = names }
end

local function count(name, root)
    local files, dirs = fakeProc(root)
    return h.run { args = { name = name, proc_path = root }, files = files, dirs = dirs }
end

test("matches comm: nginx master and workers, the zombie not counted", function()
    local r = count("nginx")
    eq(r.value, 3)
    eq(h.metric(r, "zombies"), 1)
    eq(r.message, "3 processes named nginx (pids 412, 413, 414); 1 zombie (pid 1400)")
end)

test("matches argv[0] without its directory: a name longer than comm's 15 characters", function()
    local r = count("prophasis-luaworker")
    eq(r.value, 2)
    eq(r.message, "2 processes named prophasis-luaworker (pids 1301, 1302)")
end)

test("matches a full program path in argv[0]", function()
    eq(count("/usr/lib/postgresql/15/bin/postgres").value, 1)
    eq(count("postgres").value, 2, "the postmaster by argv[0], the checkpointer by comm")
    eq(count("/sbin/init").value, 1)
end)

test("a script run through its #! line matches by its comm", function()
    eq(count("backup.sh").value, 1)
end)

test("no partial matches", function()
    eq(count("ngin").value, 0)
    eq(count("prophasis").value, 0)
    eq(count("app.jar").value, 0, "later arguments are not argv[0]")
    eq(count("-jar").value, 0)
    local r = count("sshd")
    eq(r.value, 0)
    eq(r.message, "no process named sshd is running")
end)

test("kernel threads match by comm", function()
    eq(count("kthreadd").value, 1)
end)

test("another proc_path; an unreadable /proc", function()
    eq(count("java", "/fx/proc").value, 1)
    local r = h.run { args = { name = "java" } }
    eq(r.value, nil)
    contains(r.message, "cannot list /proc")
end)

test("an empty name is refused", function()
    local r = h.run { args = { name = "" } }
    eq(r.value, nil)
    contains(r.message, "'name' is empty")
end)

h.failureRuleTests(h.success(3, { zombies = 0 }), { name = "nginx" })

test("classifier: not running is critical", function()
    eq(h.classify { results = { h.success(2), h.success(0) }, args = { name = "nginx" } }, "critical")
    eq(h.classify { results = { h.success(1) }, args = { name = "nginx" } }, "ok")
end)

test("classifier: host variables process_min / process_max", function()
    local args = { name = "nginx" }
    eq(h.classify { results = { h.success(2) }, args = args, vars = { process_min = "3" } }, "critical")
    eq(h.classify { results = { h.success(5) }, args = args, vars = { process_max = "4" } }, "minor")
    eq(h.classify { results = { h.success(4) }, args = args, vars = { process_max = "4" } }, "ok")
    eq(h.classify { results = { h.success(0) }, args = args, vars = { process_min = "0" } }, "ok")
end)
