-- Counts the processes of a name from /proc. A process matches when its comm (the kernel's name
-- for it, at most 15 characters, the script's name for a script run through its #! line) or
-- its argv[0] (full or without the directory) equals the name. argv[0] catches names longer
-- than 15 characters; comm catches programs that rewrite their argv ("nginx: worker process").
local name = prophasis.args.name
local proc = prophasis.args.proc_path
local MAX_PIDS_SHOWN = 10

if name == "" then
    return { value = nil, message = "the argument 'name' is empty" }
end

local entries, err = prophasis.list_dir(proc)
if not entries then
    return { value = nil, message = "cannot list " .. proc .. ": " .. tostring(err) }
end

local function basename(path)
    return path:match("([^/]*)/*$")
end

local pids = {}
for _, entry in ipairs(entries) do
    local pid = math.tointeger(tonumber(entry))
    if pid and entry:match("^%d+$") then
        pids[#pids + 1] = pid
    end
end
table.sort(pids)

local running, zombies = {}, {}
for _, pid in ipairs(pids) do
    local dir = proc .. "/" .. pid
    -- A process can exit between the listing and the read: then its files are gone; skip it.
    local comm = prophasis.read_file(dir .. "/comm", 256)
    if comm then
        comm = comm:gsub("\n$", "")
        local matches = comm == name
        if not matches then
            local cmdline = prophasis.read_file(dir .. "/cmdline", 4096) or ""
            local argv0 = cmdline:match("^([^%z]*)")
            matches = argv0 ~= "" and (argv0 == name or basename(argv0) == name)
        end
        if matches then
            -- "PID (comm) S ...": the state follows the last ')', as comm may contain one.
            local stat = prophasis.read_file(dir .. "/stat", 1024) or ""
            local state = stat:match("%)%s+(%a)[^)]*$")
            if state == "Z" then
                zombies[#zombies + 1] = pid
            else
                running[#running + 1] = pid
            end
        end
    end
end

local function pidList(list)
    local shown = {}
    for i = 1, math.min(#list, MAX_PIDS_SHOWN) do
        shown[i] = tostring(list[i])
    end
    local text = table.concat(shown, ", ")
    if #list > MAX_PIDS_SHOWN then
        text = text .. ", …"
    end
    return text
end

local message
if #running == 0 then
    message = "no process named " .. name .. " is running"
else
    message = string.format("%d process%s named %s (pid%s %s)", #running, #running == 1 and "" or "es", name,
        #running == 1 and "" or "s", pidList(running))
end
if #zombies > 0 then
    message = message .. string.format("; %d zombie%s (pid%s %s)", #zombies, #zombies == 1 and "" or "s",
        #zombies == 1 and "" or "s", pidList(zombies))
end
return { value = #running, message = message, metrics = { zombies = #zombies } }
