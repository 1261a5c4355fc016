--[[
drukmonitor.lua: the Quarto features the drukmonitor reports use, for plain pandoc.

Used only by the pandoc+typst fallback renderer (drukmonitor.render); Quarto does all of this
itself. Handles, for HTML and typst output alike:
  * cross-references: figures `{#fig-x}` and captioned tables `{#tbl-x}` are numbered in document
    order (like Quarto and typst: figures and tables each from 1), `@fig-x` / `@tbl-x` become
    "Figuur 1" / "Tabel 1" (`[-@fig-x]` gives the bare number). A reference to an unknown label
    stops the render with an error instead of printing "??".
  * `fig-alt="..."`: the image's alt text (HTML alt attribute, typst `image(alt: ...)`).
  * callouts `::: {.callout-warning title="..."}` (or a first heading inside the div as title).
  * `::: {.table-notes}` (small print under a table), `::: {.colophon}` and `::: {.pagebreak}`.
Metadata read: `drukmonitor-typst-prefix` (path of the document folder inside the typst root,
"." when they are the same; image paths become root-absolute for typst).
]]

local stringify = pandoc.utils.stringify

local is_typst = FORMAT:match('typst') ~= nil
local is_html = FORMAT:match('html') ~= nil

local FIG_WORD = 'Figuur'
local TBL_WORD = 'Tabel'

local CALLOUT_KINDS = {
  note = 'Opmerking',
  tip = 'Tip',
  important = 'Belangrijk',
  warning = 'Let op',
  caution = 'Voorzichtig',
}

local labels = {}      -- id -> {word=..., n=...}
local typst_prefix = ''

local function fail(message)
  error('drukmonitor.lua: ' .. message, 0)
end

local function typst_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', ' ')
  return '"' .. s .. '"'
end

local function callout_kind(classes)
  for _, class in ipairs(classes) do
    local kind = class:match('^callout%-(%a+)$')
    if kind and CALLOUT_KINDS[kind] then
      return kind
    end
  end
  return nil
end

-- pass 1: number figures and captioned tables, read metadata -------------------------------
local function collect(doc)
  local meta_prefix = doc.meta['drukmonitor-typst-prefix']
  if meta_prefix then
    typst_prefix = stringify(meta_prefix)
  end
  local nfig, ntbl = 0, 0
  doc:walk({
    Figure = function(fig)
      nfig = nfig + 1
      if fig.identifier ~= '' then
        if labels[fig.identifier] then fail('label ' .. fig.identifier .. ' used twice') end
        labels[fig.identifier] = { word = FIG_WORD, n = nfig }
      end
    end,
    Table = function(tbl)
      if #tbl.caption.long > 0 then
        ntbl = ntbl + 1
        if tbl.identifier ~= '' then
          if labels[tbl.identifier] then fail('label ' .. tbl.identifier .. ' used twice') end
          labels[tbl.identifier] = { word = TBL_WORD, n = ntbl }
        end
      end
    end,
  })
  return nil
end

-- pass 2: rewrite --------------------------------------------------------------------------
local function xref(citation)
  local id = citation.id
  local target = labels[id]
  if not target then
    fail('cross-reference @' .. id .. ' has no figure or table with that label')
  end
  local bare = citation.mode == 'SuppressAuthor'
  if is_typst then
    if bare then
      return pandoc.RawInline('typst', '#link(<' .. id .. '>)[' .. target.n .. ']')
    end
    return pandoc.RawInline('typst', '#ref(<' .. id .. '>)')
  end
  local text = bare and tostring(target.n) or (target.word .. '\u{a0}' .. target.n)
  return pandoc.Link({ pandoc.Str(text) }, '#' .. id, '', { class = 'quarto-xref' })
end

local function Cite(cite)
  local out = pandoc.Inlines({})
  for i, citation in ipairs(cite.citations) do
    if i > 1 then
      out:insert(pandoc.Str(','))
      out:insert(pandoc.Space())
    end
    out:extend(citation.prefix)
    if #citation.prefix > 0 then out:insert(pandoc.Space()) end
    out:insert(xref(citation))
    out:extend(citation.suffix)
  end
  return out
end

-- image path relative to the .qmd -> absolute path inside the typst root ("/..."), or an error
local function root_path(src)
  if src:match('^/') or src:match('^%a[%w+.-]*:') then
    fail('figure ' .. src .. ' must be a relative path (relative to the report source)')
  end
  local parts = {}
  local joined = (typst_prefix == '' or typst_prefix == '.') and src or (typst_prefix .. '/' .. src)
  for part in joined:gmatch('[^/]+') do
    if part == '..' then
      if #parts == 0 then
        fail('figure ' .. src .. ' lies outside the typst root; pass typst_root to render_report')
      end
      table.remove(parts)
    elseif part ~= '.' then
      table.insert(parts, part)
    end
  end
  -- typst gets its source as bytes: paths are absolute within the typst root
  return '/' .. table.concat(parts, '/')
end

local function image_of(fig)
  local found = nil
  fig:walk({ Image = function(img) found = found or img end })
  return found
end

local function Figure(fig)
  local img = image_of(fig)
  local alt = img and img.attributes['fig-alt'] or nil
  local target = labels[fig.identifier]
  if is_typst and img then
    local src = root_path(img.src)
    local width = img.attributes['width'] or '100%'
    local caption = pandoc.write(pandoc.Pandoc({ pandoc.Plain(pandoc.utils.blocks_to_inlines(fig.caption.long)) }), 'typst')
    local args = typst_string(src) .. ', width: ' .. width
    if alt then args = args .. ', alt: ' .. typst_string(alt) end
    local code = '#figure(image(' .. args .. '),\n  caption: [' .. caption:gsub('%s+$', '') .. '],\n)'
    if fig.identifier ~= '' then code = code .. ' <' .. fig.identifier .. '>' end
    return pandoc.RawBlock('typst', code)
  end
  if is_html then
    if img and alt then
      fig = fig:walk({
        Image = function(i)
          i.caption = pandoc.Inlines({ pandoc.Str(alt) })
          i.attributes['fig-alt'] = nil
          return i
        end,
      })
    end
    if target and #fig.caption.long > 0 then
      local first = fig.caption.long[1]
      first.content:insert(1, pandoc.Str(target.word .. '\u{a0}' .. target.n .. ': '))
    end
  end
  return fig
end

local function Table(tbl)
  local target = labels[tbl.identifier]
  if is_html and target and #tbl.caption.long > 0 then
    tbl.caption.long[1].content:insert(1, pandoc.Str(target.word .. '\u{a0}' .. target.n .. ': '))
  end
  return tbl
end

-- reports are self-contained: an image must be a local file (embedded by pandoc) or data: URI
local function Image(img)
  local scheme = img.src:match('^(%a[%w+.-]*):')
  if scheme and scheme ~= 'data' then
    fail('image ' .. img.src .. ' is not a local file: reports may not load external resources')
  end
  return nil
end

local function Div(div)
  local kind = callout_kind(div.classes)
  if kind then
    local title = div.attributes['title']
    local content = div.content
    if (not title or title == '') and #content > 0 and content[1].t == 'Header' then
      title = stringify(content[1])
      content = pandoc.Blocks({ table.unpack(content, 2) })
    end
    if not title or title == '' then title = CALLOUT_KINDS[kind] end
    if is_typst then
      local blocks = pandoc.Blocks({
        pandoc.RawBlock('typst', '#callout(kind: "' .. kind .. '", title: ' .. typst_string(title) .. ')['),
      })
      blocks:extend(content)
      blocks:insert(pandoc.RawBlock('typst', ']'))
      return blocks
    end
    if is_html then
      local header = pandoc.Div({ pandoc.Plain({ pandoc.Strong({ pandoc.Str(title) }) }) },
        { class = 'callout-header' })
      local body = pandoc.Div(content, { class = 'callout-body' })
      return pandoc.Div({ header, body },
        { id = div.identifier, class = 'dm-callout callout-' .. kind, role = 'note' })
    end
    return div
  end
  if div.classes:includes('pagebreak') then
    if is_typst then return pandoc.RawBlock('typst', '#pagebreak(weak: true)') end
    if is_html then return pandoc.RawBlock('html', '<div class="pagebreak" aria-hidden="true"></div>') end
    return {}
  end
  local wrapper = div.classes:includes('table-notes') and 'tablenotes'
    or (div.classes:includes('colophon') and 'colophon') or nil
  if wrapper and is_typst then
    local blocks = pandoc.Blocks({ pandoc.RawBlock('typst', '#' .. wrapper .. '[') })
    blocks:extend(div.content)
    blocks:insert(pandoc.RawBlock('typst', ']'))
    return blocks
  end
  return nil
end

return {
  { Pandoc = collect },
  { Image = Image },
  { Cite = Cite, Figure = Figure, Table = Table, Div = Div },
}
