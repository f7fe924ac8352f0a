-- Disk usage of the file system holding a path, through `df -P` (POSIX format: one line per
-- file system, 1024-byte blocks with -k). A hung network mount makes df hang, so each call has
-- its own timeout, shorter than the plugin's.
local path = prophasis.args.path
local df = prophasis.args.df
local COMMAND_TIMEOUT_MS = 12000

if path == "" then
    return { value = nil, message = "the argument 'path' is empty" }
end

-- Runs df with one option and returns the fields of its data line, or nil and why not.
-- "Filesystem 1024-blocks Used Available Capacity Mounted on": the file system and the mount
-- point may contain spaces, so the four numbers in the middle anchor the parse.
local function dfLine(option)
    local ok, r, err = pcall(prophasis.run, { df, "-P", option, "--", path }, { timeout_ms = COMMAND_TIMEOUT_MS })
    if not ok or not r then
        return nil, "cannot run " .. df .. ": " .. tostring(ok and err or r)
    end
    if r.timed_out then
        return nil, df .. " did not answer within " .. COMMAND_TIMEOUT_MS // 1000 .. " s (a hung network mount?)"
    end
    if r.exit_code ~= 0 then
        local why = (r.stderr or ""):gsub("%s+$", "")
        if why == "" then
            why = r.exit_code and ("exit code " .. r.exit_code) or ("killed by signal " .. tostring(r.signal))
        end
        return nil, why
    end
    local lines = {}
    for line in (r.stdout or ""):gmatch("[^\n]+") do
        lines[#lines + 1] = line
    end
    -- lines[1] is the header; the last line is the file system holding the path.
    local data = lines[#lines]
    if #lines < 2 then
        return nil, df .. " printed no data line"
    end
    local fs, a, b, c, pct, mount = data:match("^(.-)%s+(%d+)%s+(%d+)%s+(%d+)%s+([%d%-]+)%%?%s+(.+)$")
    if not fs then
        return nil, "cannot parse the output of " .. df .. ": " .. data
    end
    return { fs = fs, a = tonumber(a), b = tonumber(b), c = tonumber(c), mount = mount }
end

local function human(bytes)
    local units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" }
    local v, i = bytes, 1
    while v >= 1024 and i < #units do
        v, i = v / 1024, i + 1
    end
    return string.format("%.1f %s", v, units[i])
end

-- Blocks: a = size, b = used, c = available to ordinary users (root's reserve not included).
local blocks, err = dfLine("-k")
if not blocks then
    return { value = nil, message = path .. ": " .. err }
end
local size, used, free = blocks.a * 1024, blocks.b * 1024, blocks.c * 1024
local percent = 0
if used + free > 0 then
    -- Like df's Capacity column: what ordinary users can still write, so root's reserve counts
    -- as used.
    percent = used / (used + free) * 100
end
local metrics = {
    size = { value = size, unit = "B" },
    used = { value = used, unit = "B" },
    free = { value = free, unit = "B" },
}
local message = string.format("%s (%s on %s): %.1f %% used, %s free of %s", path, blocks.mount, blocks.fs, percent,
    human(free), human(size))

-- Inodes: a = total, b = used, c = free. File systems without a fixed inode table (btrfs,
-- vfat, some network ones) report 0 and "-".
local inodes, inodeErr = dfLine("-i")
if inodes and inodes.a > 0 then
    local inodePercent = inodes.b / inodes.a * 100
    metrics.inodes_used = inodes.b
    metrics.inodes_free = inodes.c
    metrics.inodes_used_percent = { value = inodePercent, unit = "%" }
    message = message .. string.format("; inodes %.1f %% used", inodePercent)
elseif not inodes then
    message = message .. "; inodes unknown: " .. inodeErr
end

return { value = percent, message = message, metrics = metrics }
