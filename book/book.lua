-- book.lua - the pandoc filter that turns the workbook's markdown into the
-- pages of the book (book/build.sh runs it; book/README.md says how it fits).
--
-- The metadata book/build.sh passes with -M:
--   book-mode      chapter | index | page (another markdown page) | print
--                  (the whole book on one page) | listing (a source file)
--   book-page      where this page goes in the book, e.g. 05-pools.html
--   book-pages     a TSV of the known pages: markdown file, page, title
--   book-manifest  a file this filter appends to: what the page links to
--                  (listings, other pages, images to copy, this machine's graphs)
--   book-links     (listing mode) all the pages' manifests together
--   book-machine   the build folder whose chapterNN/ holds this machine's graphs
--   book-listing   (listing mode) the repository file to show
--
-- Paths inside the repository are relative to its top (book/build.sh runs
-- pandoc from there); paths in the book are relative to the book's folder.

local stringify = pandoc.utils.stringify

local FROM = "gfm"

-- ---- paths -----------------------------------------------------------------

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or ""
end

local function basename(path)
  return path:match("([^/]*)$")
end

-- a/b/../c/./d -> a/c/d; nil when the path climbs out of the repository.
local function normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

local function exists(path)
  local file = io.open(path, "rb")
  if file then file:close() return true end
  return false
end

local function is_directory(path)
  local file = io.open(path, "rb")
  if not file then return false end
  local _, _, code = file:read(1)
  file:close()
  return code == 21 -- EISDIR: reading a directory fails
end

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("a")
  file:close()
  return text
end

-- The prefix that leads from a page back to the top of the book.
local function root_of(page)
  local _, depth = page:gsub("/", "")
  return string.rep("../", depth)
end

local function warn(message)
  io.stderr:write("book.lua: " .. message .. "\n")
end

-- ---- reading a chapter ----------------------------------------------------

-- The markdown of `path`, ready for the reader. A figure marker that opens a
-- line, "<!-- value: ... -->12.3<!-- /value --> µs", would open an HTML block
-- there (CommonMark's rule for a line that starts with a comment) and cut its
-- paragraph in two, the rest of the line left as raw HTML; the opening
-- marker is dropped so that the line stays in its paragraph. Code blocks are
-- left as they are.
local function chapter_markdown(path)
  local lines, fenced = {}, false
  for line in (read_file(path) .. "\n"):gmatch("(.-)\r?\n") do
    if line:match("^%s*```") or line:match("^%s*~~~") then
      fenced = not fenced
    elseif not fenced then
      line = line:gsub("^(%s*)<!%-%- value:.-%-%->", "%1")
    end
    table.insert(lines, line)
  end
  return table.concat(lines, "\n")
end

local function parse(path)
  return pandoc.read(chapter_markdown(path), FROM).blocks
end

-- ---- what build.sh told us ----------------------------------------------------

local meta_of = {}

-- The known pages, in order: {source=, page=, title= (markdown text)}.
local function read_pages(path)
  local pages, by_source = {}, {}
  for line in io.lines(path) do
    local source, page, title = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    if source then
      local entry = { source = source, page = page, title = title }
      table.insert(pages, entry)
      by_source[source] = entry
    end
  end
  return pages, by_source
end

local manifest
local function record(kind, path, extra)
  manifest:write(kind, "\t", path, "\t", extra or "", "\n")
end

-- A title in markdown ("Chapter 5 — Pools: `map`") as inlines.
local function inlines_of(markdown)
  local doc = pandoc.read(markdown, FROM)
  if #doc.blocks == 0 then return pandoc.List() end
  return doc.blocks[1].content
end

-- ---- one page's transformation ----------------------------------------------------

-- ctx: source (the markdown file), page (its place in the book), root,
-- mode, prefix (print mode: the chapter's id, put before each of its ids),
-- pages_by_source, title (plain text, for the manifest).

-- The id an anchor of `source` has in the book: the same, except on the
-- one-page book, where every chapter's ids carry the chapter's name.
local function anchor_id(ctx, source, anchor)
  if ctx.mode ~= "print" then return anchor end
  local entry = ctx.pages_by_source[source]
  if entry and entry.id ~= "" then return entry.id .. "--" .. anchor end
  return anchor
end

local image_extensions = { svg = true, png = true, jpg = true, jpeg = true, gif = true }

-- The href in the book for a link written in ctx.source; nil to drop the
-- link and keep its text (a folder, or a listing on the one-page book).
local function rewrite_href(ctx, target)
  if target:match("^[%a][%w+.-]*:") then return target end -- leaves the book: left as it is
  local path, anchor = target:match("^([^#]*)#?(.*)$")
  if path == "" then
    return "#" .. anchor_id(ctx, ctx.source, anchor)
  end
  local repo_path = normalize(dirname(ctx.source) .. "/" .. path)
  if not repo_path then
    warn(ctx.source .. ": link out of the repository: " .. target)
    return target
  end
  -- A file that is missing keeps the place in the book it would have, and
  -- the link stays broken there, for the browser check to name.
  local missing = not exists(repo_path)
  if missing then warn(ctx.source .. ": link to a missing file: " .. target) end
  local function record_if_there(kind, file, extra)
    if not missing then record(kind, file, extra) end
  end
  local entry = ctx.pages_by_source[repo_path]
  if entry then
    if ctx.mode == "print" then
      if anchor ~= "" then return "#" .. anchor_id(ctx, repo_path, anchor) end
      return "#" .. entry.id
    end
    return ctx.root .. entry.page .. (anchor ~= "" and "#" .. anchor or "")
  end
  if is_directory(repo_path) then return nil end
  if repo_path:match("%.md$") then
    if ctx.mode == "print" then return nil end
    record_if_there("page", repo_path)
    return ctx.root .. repo_path:gsub("%.md$", ".html") .. (anchor ~= "" and "#" .. anchor or "")
  end
  local extension = repo_path:match("%.([%w]+)$")
  if extension and image_extensions[extension:lower()] then
    record_if_there("asset", repo_path)
    return ctx.root .. repo_path
  end
  if ctx.mode == "print" then return nil end
  record_if_there("listing", repo_path, ctx.page .. "\t" .. ctx.title)
  return ctx.root .. "src/" .. repo_path .. ".html" .. (anchor ~= "" and "#" .. anchor or "")
end

-- An HTML comment (the docs markers) is dropped; other raw HTML stays. On
-- the one-page book, which is for print, a folded answer is unfolded.
local function clean_raw(ctx, text)
  text = text:gsub("<!%-%-.-%-%->", "")
  if ctx.mode == "print" then
    text = text:gsub("<details[^>]*>%s*<summary>(.-)</summary>", '<div class="answer"><p class="answer-label">%1</p>')
    text = text:gsub("<details[^>]*>", '<div class="answer">'):gsub("</details>", "</div>")
  end
  return text
end

-- This machine's graph for a reference graph plots/NN-name.svg: the path
-- under the build folder when `make chapterNN` drew it, else nil.
local function machine_graph(ctx, repo_path)
  local name = repo_path:match("^plots/(%d%d%-[^/]+%.svg)$")
  if not name or ctx.machine == "" then return nil end
  local chapter = name:sub(1, 2)
  local local_path = ctx.machine .. "/chapter" .. chapter .. "/" .. name
  if exists(local_path) then return local_path, chapter, name end
  return nil
end

local function figure(caption, src)
  return pandoc.Para({ pandoc.Image(caption, src, "fig:") })
end

local function transform(blocks, ctx)
  local repo_of_src = {}
  local filter = {
    RawInline = function(el)
      if el.format ~= "html" then return nil end
      local text = clean_raw(ctx, el.text)
      if text == "" then return {} end
      el.text = text
      return el
    end,
    RawBlock = function(el)
      if el.format ~= "html" then return nil end
      local text = clean_raw(ctx, el.text)
      if text:match("^%s*$") then return {} end
      el.text = text
      return el
    end,
    Link = function(el)
      local href = rewrite_href(ctx, el.target)
      if not href then return el.content end
      el.target = href
      return el
    end,
    Image = function(el)
      if el.src:match("^[%a][%w+.-]*:") then return nil end
      local repo_path = normalize(dirname(ctx.source) .. "/" .. el.src)
      if not repo_path then
        warn(ctx.source .. ": image out of the repository: " .. el.src)
        return nil
      end
      if exists(repo_path) then
        record("asset", repo_path)
      else
        warn(ctx.source .. ": image not found: " .. el.src)
      end
      el.src = ctx.root .. repo_path
      repo_of_src[el.src] = repo_path
      return el
    end,
    -- An image alone in its paragraph is a figure, its text the caption
    -- (as pandoc's implicit_figures, which its gfm reader lacks). When this
    -- machine has drawn the same graph, both stand side by side.
    Para = function(el)
      if #el.content ~= 1 or el.content[1].t ~= "Image" then return nil end
      local image = el.content[1]
      if image.title:sub(1, 4) ~= "fig:" then image.title = "fig:" .. image.title end
      local repo_path = repo_of_src[image.src]
      local local_path, chapter, name
      if repo_path then local_path, chapter, name = machine_graph(ctx, repo_path) end
      if not local_path then return el end
      local copy = "this-machine/" .. name
      record("machine", local_path, copy)
      -- Half as wide, each says where to see it whole.
      local function full_size(src)
        if ctx.mode == "print" then return {} end
        return { pandoc.Space(), pandoc.Str("("), pandoc.Link({ pandoc.Str("full"), pandoc.Space(), pandoc.Str("size") }, src), pandoc.Str(")") }
      end
      local reference_caption = pandoc.List(image.caption):clone()
      reference_caption:extend({ pandoc.Str(" —"), pandoc.Space(), pandoc.Emph({ pandoc.Str("reference") }) })
      reference_caption:extend(full_size(image.src))
      local machine_caption = pandoc.List({
        pandoc.Emph({ pandoc.Str("this"), pandoc.Space(), pandoc.Str("machine") }),
        pandoc.Str(","), pandoc.Space(), pandoc.Code("make chapter" .. tonumber(chapter)),
      })
      machine_caption:extend(full_size(ctx.root .. copy))
      return pandoc.Div({
        figure(reference_caption, image.src),
        figure(machine_caption, ctx.root .. copy),
      }, pandoc.Attr("", { "figure-pair" }))
    end,
    Table = function(el)
      return pandoc.Div({ el }, pandoc.Attr("", { "table-wrap" }))
    end,
    Header = function(el)
      if ctx.prefix and el.identifier ~= "" then
        el.identifier = ctx.prefix .. "--" .. el.identifier
      end
      return el
    end,
  }
  return pandoc.walk_block(pandoc.Div(blocks), filter).content
end

-- The first level-1 heading becomes the page's title; the rest stays.
local function take_title(blocks)
  for i, block in ipairs(blocks) do
    if block.t == "Header" and block.level == 1 then
      table.remove(blocks, i)
      return block
    end
  end
  return nil
end

-- ---- the navigation every page has ----------------------------------------------------

-- "Chapter 5 — Pools" -> "5", "Pools"
local function split_title(title)
  local number, rest = title:match("^Chapter (%d+) — (.*)$")
  if number then return number, rest end
  return "", title
end

local function navigation(meta, pages, here, root)
  local chapters, previous, next_page, current = pandoc.List(), nil, nil, nil
  local ordered = {}
  for _, entry in ipairs(pages) do
    if entry.kind == "chapter" then table.insert(ordered, entry) end
  end
  for i, entry in ipairs(ordered) do
    local number, short = split_title(entry.title)
    local item = {
      href = pandoc.MetaString(root .. entry.page),
      number = pandoc.MetaString(number),
      title = pandoc.MetaInlines(inlines_of(short)),
    }
    if entry.page == here then
      item.current = true
      current = i
    end
    chapters:insert(pandoc.MetaMap(item))
  end
  local function link(entry)
    return pandoc.MetaMap({
      href = pandoc.MetaString(root .. entry.page),
      title = pandoc.MetaInlines(inlines_of(entry.title)),
    })
  end
  local index
  for _, entry in ipairs(pages) do
    if entry.kind == "index" then index = entry end
  end
  if current then
    previous = current > 1 and link(ordered[current - 1]) or link(index)
    if current < #ordered then next_page = link(ordered[current + 1]) end
  elseif here == index.page and #ordered > 0 then
    next_page = link(ordered[1])
  end
  meta.chapters = chapters
  meta.prev = previous
  meta.next = next_page
  meta.root = pandoc.MetaString(root)
  meta["index-href"] = pandoc.MetaString(root .. "index.html")
  meta["print-href"] = pandoc.MetaString(root .. "print.html")
  for _, entry in ipairs(pages) do
    if entry.kind == "instructors" then
      meta.instructors = pandoc.MetaMap({
        href = pandoc.MetaString(root .. entry.page),
        title = pandoc.MetaInlines(inlines_of(entry.title)),
      })
    end
    if entry.kind == "index" then
      meta.booktitle = pandoc.MetaInlines(inlines_of(entry.title))
    end
  end
end

-- ---- the kinds of page ----------------------------------------------------

local language_of = {
  c = "c", h = "c", py = "python", sh = "bash", bats = "bash", awk = "awk",
  md = "markdown", mk = "makefile", gp = "", tsv = "",
}

local function listing_language(path)
  if basename(path) == "Makefile" then return "makefile" end
  local extension = path:match("%.([%w]+)$")
  return extension and language_of[extension] or ""
end

-- The pages (from the manifest) that link to `path`, once each.
local function linked_from(manifest_path, path, root)
  local seen, links = {}, pandoc.List()
  for line in io.lines(manifest_path) do
    local kind, target, page, title = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if kind == "listing" and target == path and not seen[page] then
      seen[page] = true
      if #links > 0 then links:insert(pandoc.Str(",")) links:insert(pandoc.Space()) end
      links:insert(pandoc.Link(inlines_of(title), root .. page))
    end
  end
  return links
end

local function listing_page(doc, ctx)
  local path = ctx.listing
  local language = listing_language(path)
  local classes = { "numberLines" }
  if language ~= "" then table.insert(classes, 1, language) end
  local text = read_file(path):gsub("\n$", "")
  local blocks = pandoc.List()
  local from = linked_from(ctx.manifest_path, path, ctx.root)
  if #from > 0 then
    local line = pandoc.List({ pandoc.Str("Linked"), pandoc.Space(), pandoc.Str("from"), pandoc.Space() })
    line:extend(from)
    line:insert(pandoc.Str("."))
    blocks:insert(pandoc.Para(line))
  end
  blocks:insert(pandoc.CodeBlock(text, pandoc.Attr("", classes)))
  doc.blocks = blocks
  doc.meta.title = pandoc.MetaInlines({ pandoc.Code(path) })
  doc.meta.pagetitle = pandoc.MetaString(path)
  doc.meta.kind = pandoc.MetaString("listing")
  return doc
end

local function set_title(doc, header)
  if header then
    doc.meta.title = pandoc.MetaInlines(header.content)
    doc.meta.pagetitle = pandoc.MetaString(stringify(header.content))
    doc.meta.titleid = pandoc.MetaString(header.identifier)
  end
end

-- The whole book on one page, for print: the README, the contents, then
-- every chapter in a section of its own whose ids carry its name.
local function print_page(doc, ctx, pages)
  local index_title = take_title(doc.blocks)
  set_title(doc, index_title)
  local about = transform(doc.blocks, ctx)
  local contents = pandoc.List()
  local chapters = pandoc.List()
  for _, entry in ipairs(pages) do
    if entry.kind == "chapter" then
      local chapter_ctx = {
        source = entry.source, page = ctx.page, root = ctx.root, mode = "print",
        prefix = entry.id, pages_by_source = ctx.pages_by_source, machine = ctx.machine,
        title = entry.title,
      }
      local blocks = parse(entry.source)
      local body = transform(blocks, chapter_ctx)
      local sections = pandoc.List()
      local heading
      for _, block in ipairs(body) do
        if block.t == "Header" and block.level == 1 and not heading then
          heading = block
        elseif block.t == "Header" and block.level == 2 then
          sections:insert({ pandoc.Plain({ pandoc.Link(block.content, "#" .. block.identifier) }) })
        end
      end
      local item = { pandoc.Plain({ pandoc.Link(inlines_of(entry.title), "#" .. entry.id) }) }
      if #sections > 0 then table.insert(item, pandoc.BulletList(sections)) end
      contents:insert(item)
      chapters:insert(pandoc.Div(body, pandoc.Attr(entry.id, { "chapter" })))
    end
  end
  local blocks = pandoc.List()
  blocks:insert(pandoc.Div({
    pandoc.Header(2, { pandoc.Str("Contents") }, pandoc.Attr("contents", { "unnumbered" })),
    pandoc.BulletList(contents),
  }, pandoc.Attr("", { "book-contents" })))
  blocks:insert(pandoc.Div(about, pandoc.Attr("about", { "about" })))
  blocks:extend(chapters)
  doc.blocks = blocks
  return doc
end

function Pandoc(doc)
  local meta = doc.meta
  for _, key in ipairs({ "book-mode", "book-page", "book-pages", "book-manifest", "book-machine", "book-listing", "book-links" }) do
    meta_of[key] = meta[key] and stringify(meta[key]) or ""
    meta[key] = nil
  end
  local mode, page = meta_of["book-mode"], meta_of["book-page"]
  local pages, by_source = read_pages(meta_of["book-pages"])
  for _, entry in ipairs(pages) do
    entry.kind = entry.source == "README.md" and "index"
      or entry.source:match("^chapters/[^/]+/README%.md$") and "chapter"
      or "instructors"
    entry.id = entry.kind == "chapter" and entry.source:match("^chapters/([^/]+)/") or ""
  end
  local root = root_of(page)
  navigation(meta, pages, page, root)
  meta.kind = pandoc.MetaString(mode)
  if mode ~= "index" and mode ~= "print" then meta["title-suffix"] = meta.booktitle end
  if mode == "print" then meta.chapters = nil end

  if mode == "listing" then
    return listing_page(doc, { listing = meta_of["book-listing"], root = root, manifest_path = meta_of["book-links"] })
  end

  manifest = assert(io.open(meta_of["book-manifest"], "a"))
  local source = PANDOC_STATE.input_files[1]
  local ctx = {
    source = source, page = page, root = root, mode = mode, pages_by_source = by_source,
    machine = meta_of["book-machine"],
  }
  doc.blocks = parse(source)
  if mode == "print" then
    ctx.title = "print"
    doc = print_page(doc, ctx, pages)
  else
    local header = take_title(doc.blocks)
    set_title(doc, header)
    ctx.title = by_source[source] and by_source[source].title
      or header and stringify(header.content) or source
    doc.blocks = transform(doc.blocks, ctx)
  end
  manifest:close()
  return doc
end
