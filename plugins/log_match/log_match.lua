-- Counts the new lines of a log file that match a Lua pattern since the last run.
--
-- State between runs (one small file per file + pattern): the log's inode, the byte offset read
-- up to, and a hash of the log's first bytes. Next run:
--   * no state                  → first run: remember the end of the file, count nothing;
--   * another inode             → rotated: finish the old file if it is FILE.1 (logrotate's
--                                 default name), then read the new one from its start;
--   * smaller than the offset   → truncated (copytruncate): read from the start;
--   * first bytes changed       → truncated and written again past the old offset: from the start;
--   * otherwise                 → read from the offset.
-- Only whole lines are consumed; a line still being written waits for its newline.
--
-- The host API reads files only from their start, so the new bytes come from `dd` (skip_bytes,
-- count_bytes: GNU coreutils) and the inode and size from `stat`. The state is written with
-- prophasis.write_file when the runtime offers it, otherwise through `sh` (write, then rename).
local args = prophasis.args
local file, pattern, maxLines = args.file, args.pattern, args.max_lines
local MAX_BYTES = 192 * 1024   -- per run; below the runtime's 256 KiB output cap
local FINGERPRINT_BYTES = 256
local COMMAND_TIMEOUT_MS = 5000
local MAX_LINE_SHOWN = 300

if file == "" then
    return { value = nil, message = "the argument 'file' is empty" }
end
if pattern == "" then
    return { value = nil, message = "the argument 'pattern' is empty" }
end
local patternOk, patternErr = pcall(string.find, "", pattern)
if not patternOk then
    return { value = nil, message = "the pattern is not a valid Lua pattern: " .. tostring(patternErr) }
end
if maxLines < 1 then
    return { value = nil, message = "the argument 'max_lines' must be at least 1" }
end

-- FNV-1a, 32 bits, as 8 hex digits: names the state file and fingerprints the log's start.
local function hash(s)
    local h = 2166136261
    for i = 1, #s do
        h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff
    end
    return string.format("%08x", h)
end

local statePath = args.state_file
if statePath == "" then
    local dir = prophasis.state_dir
    if type(dir) ~= "string" or dir == "" then
        return { value = nil, message = "no place to keep the position between runs: this agent provides no "
            .. "prophasis.state_dir; set the argument state_file" }
    end
    local base = (file:match("([^/]*)$") or "log"):gsub("[^%w._-]", "_")
    statePath = dir:gsub("/+$", "") .. "/log_match-" .. base .. "-" .. hash(file .. "\0" .. pattern) .. ".state"
end

local function run(argv, opts)
    opts = opts or {}
    opts.timeout_ms = COMMAND_TIMEOUT_MS
    local ok, r, err = pcall(prophasis.run, argv, opts)
    if not ok or not r then
        return nil, "cannot run " .. argv[1] .. ": " .. tostring(ok and err or r)
    end
    if r.timed_out then
        return nil, argv[1] .. " did not answer within " .. COMMAND_TIMEOUT_MS // 1000 .. " s"
    end
    if r.exit_code ~= 0 then
        local why = (r.stderr or ""):gsub("%s+$", "")
        if why == "" then
            why = argv[1] .. (r.exit_code and (" failed with exit code " .. r.exit_code)
                or (" was killed by signal " .. tostring(r.signal)))
        end
        return nil, why
    end
    return r
end

-- inode and size of a path, following symbolic links.
local function stat(path)
    local r, err = run({ "stat", "-L", "-c", "%i %s", "--", path })
    if not r then
        return nil, err
    end
    local inode, size = r.stdout:match("^(%d+)%s+(%d+)")
    if not inode then
        return nil, "unexpected output of stat: " .. r.stdout
    end
    return { inode = inode, size = tonumber(size) }
end

-- Up to `count` bytes of `path` from byte `offset` on.
local function readAt(path, offset, count)
    local r, err = run({ "dd", "if=" .. path, "iflag=skip_bytes,count_bytes", "skip=" .. offset, "count=" .. count,
        "status=none" }, { max_output = count + 1024 })
    if not r then
        return nil, err
    end
    return r.stdout or ""
end

-- The first bytes of the log and their hash; nil when the host API cannot read the file.
local function fingerprint(path)
    local head = prophasis.read_file(path, FINGERPRINT_BYTES)
    if not head then
        return nil
    end
    return { length = #head, hash = hash(head), head = head }
end

local function loadState()
    local text = prophasis.read_file(statePath, 4096)
    if not text then
        return nil
    end
    local s = {}
    for k, v in text:gmatch("(%w+)=([^\n]*)") do
        s[k] = v
    end
    s.offset = math.tointeger(tonumber(s.offset))
    s.fplen = math.tointeger(tonumber(s.fplen)) or 0
    if not s.inode or not s.offset then
        return nil -- damaged: start over as on a first run
    end
    return s
end

local function saveState(inode, offset, fp)
    local text = string.format("prophasis log_match state 1\nfile=%s\ninode=%s\noffset=%d\nfplen=%d\nfphash=%s\n",
        file, inode, offset, fp and fp.length or 0, fp and fp.hash or "")
    if prophasis.write_file then
        local ok, written, err = pcall(prophasis.write_file, statePath, text)
        if ok and written then
            return true
        end
        return nil, tostring(ok and err or written)
    end
    local r, err = run({ "sh", "-c", 'umask 077 && cat > "$1.tmp" && mv -f -- "$1.tmp" "$1"', "sh", statePath },
        { stdin = text })
    if not r then
        return nil, err
    end
    return true
end

local current, statErr = stat(file)
if not current then
    return { value = nil, message = "cannot read " .. file .. ": " .. statErr }
end

local state = loadState()
local notes = {}
local chunks = {} -- {path, from}: what to read this run, in order
if not state then
    local fp = fingerprint(file)
    local saved, saveErr = saveState(current.inode, current.size, fp)
    if not saved then
        return { value = nil, message = "cannot save the position in " .. statePath .. ": " .. saveErr }
    end
    return {
        value = 0,
        message = string.format("first run: watching %s from byte %d on for \"%s\"", file, current.size, pattern),
        metrics = { lines = 0, bytes_read = 0, behind = 0 },
    }
elseif state.inode ~= current.inode then
    notes[#notes + 1] = "the file was rotated"
    local old = stat(file .. ".1")
    if old and old.inode == state.inode and old.size > state.offset then
        chunks[#chunks + 1] = { path = file .. ".1", from = state.offset, size = old.size }
    end
    chunks[#chunks + 1] = { path = file, from = 0, size = current.size, main = true }
elseif current.size < state.offset then
    notes[#notes + 1] = "the file was truncated"
    chunks[#chunks + 1] = { path = file, from = 0, size = current.size, main = true }
else
    local fp = state.fplen > 0 and fingerprint(file)
    if fp and hash(fp.head:sub(1, state.fplen)) ~= state.fphash then
        notes[#notes + 1] = "the file was truncated and written again"
        chunks[#chunks + 1] = { path = file, from = 0, size = current.size, main = true }
    else
        chunks[#chunks + 1] = { path = file, from = state.offset, size = current.size, main = true }
    end
end

local examined, matched, bytesRead, budget = 0, 0, 0, MAX_BYTES
local lastMatch
local newOffset = 0
local behind = 0
for _, chunk in ipairs(chunks) do
    local offset = chunk.from
    local want = math.min(chunk.size - offset, budget)
    if want > 0 and examined < maxLines then
        local data, readErr = readAt(chunk.path, offset, want)
        if not data then
            return { value = nil, message = "cannot read " .. chunk.path .. ": " .. readErr }
        end
        bytesRead = bytesRead + #data
        budget = budget - #data
        local pos = 1
        while examined < maxLines do
            local nl = data:find("\n", pos, true)
            if not nl then
                -- A line longer than the whole read budget would block the log for good: take it.
                if pos == 1 and #data == MAX_BYTES then
                    nl = #data
                else
                    break
                end
            end
            local line = data:sub(pos, nl):gsub("\r?\n$", "")
            examined = examined + 1
            if line:find(pattern) then
                matched = matched + 1
                lastMatch = line
            end
            pos = nl + 1
        end
        offset = offset + pos - 1
    end
    if chunk.main then
        newOffset = offset
        behind = chunk.size - offset
    end
end

local saved, saveErr = saveState(current.inode, newOffset, fingerprint(file))
if not saved then
    return { value = nil, message = "cannot save the position in " .. statePath .. ": " .. saveErr }
end

local message = string.format("%d new line%s of %s match%s \"%s\"", matched, matched == 1 and "" or "s", file,
    matched == 1 and "es" or "", pattern)
message = message .. string.format(" (%d new line%s read)", examined, examined == 1 and "" or "s")
if #notes > 0 then
    message = message .. "; " .. table.concat(notes, "; ")
end
if behind > 0 then
    message = message .. string.format("; %d bytes left for the next run", behind)
end
if lastMatch then
    if #lastMatch > MAX_LINE_SHOWN then
        lastMatch = lastMatch:sub(1, MAX_LINE_SHOWN) .. "…"
    end
    message = message .. "; last: " .. lastMatch
end
return {
    value = matched,
    message = message,
    metrics = { lines = examined, bytes_read = { value = bytesRead, unit = "B" }, behind = { value = behind, unit = "B" } },
}
