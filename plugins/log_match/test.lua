-- A fake file system with inodes, and fakes of the commands the plugin runs: stat, dd and the
-- sh that writes the state file.
local LOG = "/var/log/auth.log"
local PATTERN = "sshd%[%d+%]: Failed password"

local function newFs()
    local fs = { files = {}, inodes = {}, nextInode = 1000, commands = {} }
    function fs.write(path, content)
        if fs.inodes[path] == nil then
            fs.inodes[path] = fs.nextInode
            fs.nextInode = fs.nextInode + 1
        end
        fs.files[path] = content
    end
    function fs.append(path, content)
        fs.files[path] = fs.files[path] .. content
    end
    -- logrotate's default: rename, then create a new file (a new inode).
    function fs.rotate(path)
        fs.files[path .. ".1"], fs.inodes[path .. ".1"] = fs.files[path], fs.inodes[path]
        fs.files[path], fs.inodes[path] = nil, nil
        fs.write(path, "")
    end
    function fs.run(argv, opts)
        fs.commands[#fs.commands + 1] = argv[1]
        if argv[1] == "stat" then
            assert(argv[2] == "-L" and argv[3] == "-c" and argv[4] == "%i %s" and argv[5] == "--")
            local path = argv[6]
            if fs.files[path] == nil then
                return { exit_code = 1, stderr = "stat: cannot statx '" .. path .. "': No such file or directory\n" }
            end
            return { stdout = fs.inodes[path] .. " " .. #fs.files[path] .. "\n" }
        elseif argv[1] == "dd" then
            local path = argv[2]:match("^if=(.*)$")
            assert(argv[3] == "iflag=skip_bytes,count_bytes" and argv[6] == "status=none")
            local skip = tonumber(argv[4]:match("^skip=(%d+)$"))
            local count = tonumber(argv[5]:match("^count=(%d+)$"))
            assert(opts.max_output and opts.max_output >= count, "dd output fits the capture limit")
            local content = fs.files[path]
            if content == nil then
                return { exit_code = 1, stderr = "dd: failed to open '" .. path .. "': No such file or directory\n" }
            end
            return { stdout = content:sub(skip + 1, skip + count) }
        elseif argv[1] == "sh" then
            assert(argv[2] == "-c" and argv[3]:find('cat > "$1.tmp"', 1, true) and argv[4] == "sh")
            fs.files[argv[5]] = opts.stdin
            return { stdout = "" }
        end
        return nil, argv[1] .. ": not found"
    end
    return fs
end

local function check(fs, extra)
    local spec = { args = { file = LOG, pattern = PATTERN }, files = fs.files, commands = fs.run,
        state_dir = "/var/lib/prophasis-agent/state/org.prophasis.log_match" }
    for k, v in pairs(extra or {}) do
        if k == "args" then
            for a, x in pairs(v) do
                spec.args[a] = x
            end
        else
            spec[k] = v
        end
    end
    return h.run(spec)
end

local function stateFiles(fs)
    local list = {}
    for path in pairs(fs.files) do
        if path:find("%.state$") or path:find("/pos$") then
            list[#list + 1] = path
        end
    end
    table.sort(list)
    return list
end

test("first run remembers the end of the file and counts nothing", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    local r = check(fs)
    eq(r.value, 0)
    contains(r.message, "first run: watching /var/log/auth.log from byte " .. #h.fixture("auth.log.1"))
    local states = stateFiles(fs)
    eq(#states, 1)
    truthy(states[1]:find("^/var/lib/prophasis%-agent/state/org%.prophasis%.log_match/log_match%-auth%.log%-%x+%.state$"),
        "state file in state_dir, named after the log: " .. states[1])
    contains(fs.files[states[1]], "offset=" .. #h.fixture("auth.log.1"))
end)

test("counts only new matching lines, and none when nothing was added", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs)
    fs.append(LOG, h.fixture("auth.log.appended"))
    local r = check(fs)
    eq(r.value, 2)
    eq(h.metric(r, "lines"), 3)
    eq(h.metric(r, "bytes_read"), #h.fixture("auth.log.appended"))
    contains(r.message, "2 new lines of /var/log/auth.log match")
    contains(r.message, "last: Nov 12 03:14:05 web1 sshd[20301]: Failed password for root")
    r = check(fs)
    eq(r.value, 0)
    eq(h.metric(r, "lines"), 0)
end)

test("a line still being written waits for its newline", function()
    local fs = newFs()
    fs.write(LOG, "")
    check(fs)
    fs.append(LOG, "Nov 12 04:00:00 web1 sshd[1]: Failed password for x\nNov 12 04:00:01 web1 sshd[2]: Failed pass")
    local r = check(fs)
    eq(r.value, 1)
    fs.append(LOG, "word for y\n")
    r = check(fs)
    eq(r.value, 1, "the completed line counts once, whole")
    eq(h.metric(r, "lines"), 1)
end)

test("rotation: the rest of the old file (now auth.log.1) and the new file are both read", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs)
    fs.append(LOG, h.fixture("auth.log.appended")) -- written after the last run, before rotation
    fs.rotate(LOG)
    fs.append(LOG, h.fixture("auth.log.after_rotation"))
    local r = check(fs)
    eq(r.value, 3, "two in the old file's tail, one in the new file")
    eq(h.metric(r, "lines"), 5)
    contains(r.message, "the file was rotated")
    r = check(fs)
    eq(r.value, 0, "the new file is followed from then on")
end)

test("rotation without a .1 file (compressed at once): the new file from its start", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs)
    fs.rotate(LOG)
    fs.files[LOG .. ".1"], fs.inodes[LOG .. ".1"] = nil, nil
    fs.append(LOG, h.fixture("auth.log.after_rotation"))
    local r = check(fs)
    eq(r.value, 1)
    contains(r.message, "rotated")
end)

test("truncation in place (copytruncate): from the start", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1") .. h.fixture("auth.log.appended"))
    check(fs)
    fs.files[LOG] = h.fixture("auth.log.after_rotation") -- same inode, shorter
    local r = check(fs)
    eq(r.value, 1)
    contains(r.message, "the file was truncated")
    truthy(not r.message:find("written again", 1, true), "told apart from a refilled file: " .. r.message)
end)

test("truncated and written again past the old offset: noticed by the first bytes", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs)
    -- same inode, longer than before, but different content from byte 0
    fs.files[LOG] = h.fixture("auth.log.after_rotation") .. h.fixture("auth.log.appended")
        .. h.fixture("auth.log.after_rotation")
    local r = check(fs)
    eq(r.value, 4)
    contains(r.message, "truncated and written again")
end)

test("max_lines bounds a run; the rest is read next time", function()
    local fs = newFs()
    fs.write(LOG, "")
    check(fs)
    for i = 1, 5 do
        fs.append(LOG, "Nov 12 05:00:0" .. i .. " web1 sshd[" .. i .. "]: Failed password for u" .. i .. "\n")
    end
    local r = check(fs, { args = { max_lines = 2 } })
    eq(r.value, 2)
    truthy(h.metric(r, "behind") > 0)
    contains(r.message, "bytes left for the next run")
    r = check(fs, { args = { max_lines = 2 } })
    eq(r.value, 2)
    r = check(fs, { args = { max_lines = 2 } })
    eq(r.value, 1)
    eq(h.metric(r, "behind"), 0)
end)

test("a flood larger than one read is spread over runs", function()
    local fs = newFs()
    fs.write(LOG, "")
    check(fs)
    local line = string.rep("x", 90) .. " sshd[7]: Failed password\n" -- 116 bytes
    fs.append(LOG, string.rep(line, 3000))                          -- 348,000 bytes
    local r = check(fs, { args = { max_lines = 100000 } })
    eq(r.value, 192 * 1024 // #line)
    truthy(h.metric(r, "bytes_read") <= 192 * 1024)
    r = check(fs, { args = { max_lines = 100000 } })
    eq(r.value, 3000 - 192 * 1024 // #line)
end)

test("different patterns on one file keep separate positions", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs)
    check(fs, { args = { pattern = "Accepted publickey" } })
    eq(#stateFiles(fs), 2)
    fs.append(LOG, h.fixture("auth.log.after_rotation"))
    eq(check(fs, { args = { pattern = "Accepted publickey" } }).value, 1)
    eq(check(fs).value, 1)
end)

test("state_file argument: works without a state_dir from the runtime", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    local r = check(fs, { state_dir = false, args = { state_file = "/srv/state/pos" } })
    eq(r.value, 0)
    truthy(fs.files["/srv/state/pos"], "state written where the argument says")
    fs.append(LOG, h.fixture("auth.log.appended"))
    eq(check(fs, { state_dir = false, args = { state_file = "/srv/state/pos" } }).value, 2)
end)

test("no state_dir and no state_file: no value, says what to do", function()
    local fs = newFs()
    fs.write(LOG, "")
    local r = check(fs, { state_dir = false })
    eq(r.value, nil)
    contains(r.message, "set the argument state_file")
end)

test("prophasis.write_file is used when the runtime offers it", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    local _, rec = check(fs, { write_file = true })
    eq(#rec.writes, 1)
    for _, c in ipairs(fs.commands) do
        truthy(c ~= "sh", "no shell when write_file exists")
    end
end)

test("a state that cannot be saved gives no value", function()
    local fs = newFs()
    fs.write(LOG, "")
    local run = fs.run
    local r = check(fs, { commands = function(argv, opts)
        if argv[1] == "sh" then
            return { exit_code = 1, stderr = "sh: 1: cannot create /x/y.tmp: Permission denied\n" }
        end
        return run(argv, opts)
    end })
    eq(r.value, nil)
    contains(r.message, "cannot save the position")
    contains(r.message, "Permission denied")
end)

test("a damaged state file counts as a first run", function()
    local fs = newFs()
    fs.write(LOG, h.fixture("auth.log.1"))
    check(fs, { args = { state_file = "/s" } })
    fs.files["/s"] = "garbage"
    local r = check(fs, { args = { state_file = "/s" } })
    eq(r.value, 0)
    contains(r.message, "first run")
end)

test("missing log, bad pattern, empty arguments", function()
    local fs = newFs()
    local r = check(fs)
    eq(r.value, nil)
    contains(r.message, "cannot read /var/log/auth.log: stat: cannot statx")
    fs.write(LOG, "")
    r = check(fs, { args = { pattern = "[unclosed" } })
    eq(r.value, nil)
    contains(r.message, "not a valid Lua pattern")
    r = check(fs, { args = { file = "" } })
    eq(r.value, nil)
    r = check(fs, { args = { max_lines = 0 } })
    eq(r.value, nil)
end)

h.failureRuleTests(h.success(0), { file = LOG, pattern = PATTERN })

test("classifier: 1 new match minor, 10 major", function()
    local args = { file = LOG, pattern = PATTERN }
    eq(h.classify { results = { h.success(3), h.success(0) }, args = args }, "ok", "only the latest run counts")
    eq(h.classify { results = { h.success(0), h.success(1) }, args = args }, "minor")
    eq(h.classify { results = { h.success(0), h.success(10) }, args = args }, "major")
end)

test("classifier: host variables log_match_warn / log_match_crit", function()
    local args = { file = LOG, pattern = PATTERN }
    eq(h.classify { results = { h.success(4) }, args = args, vars = { log_match_warn = "5" } }, "ok")
    eq(h.classify { results = { h.success(4) }, args = args, vars = { log_match_crit = "3" } }, "major")
end)
