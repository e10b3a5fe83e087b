<#
.SYNOPSIS
    Builds the module's MAML help (PSNamespaces.dll-Help.xml) from the platyPS-format markdown
    in docs/en-US. platyPS itself is not available from the package sources here, so this reads
    the same schema (2.0.0): SYNOPSIS, DESCRIPTION, EXAMPLES (### headings, a code block, then
    remarks), PARAMETERS (### -Name, text, a yaml block), INPUTS, OUTPUTS, NOTES, RELATED LINKS.
#>
param(
    [Parameter(Mandatory)] [string] $SourceDirectory,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Split-Sections([string[]] $Lines, [string] $Prefix) {
    # Splits lines at headings of one level ("## " or "### "), outside code fences.
    $sections = [ordered]@{}
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($Prefix) -and -not $line.StartsWith($Prefix + '#')) {
            $current = $line.Substring($Prefix.Length).Trim()
            $sections[$current] = [System.Collections.Generic.List[string]]::new()
        } elseif ($null -ne $current) {
            $sections[$current].Add($line)
        }
    }
    $sections
}

function Get-Paragraphs([string[]] $Lines) {
    # Prose into paragraphs (blank lines separate them); a fenced block stays one paragraph
    # with its line breaks, without the fences.
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join $(if ($inFence) { "`n" } else { ' ' }))); $buffer.Clear() }
            $inFence = -not $inFence
        } elseif ($inFence) {
            $buffer.Add($line)
        } elseif ($line.Trim() -eq '') {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ')); $buffer.Clear() }
        } else {
            $buffer.Add($line.Trim())
        }
    }
    if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ')) }
    $paragraphs
}

function Add-Element($Parent, [string] $Prefix, [string] $Name, [string] $Text) {
    $element = $Parent.OwnerDocument.CreateElement($Prefix, $Name, $ns[$Prefix])
    if ($PSBoundParameters.ContainsKey('Text')) { $element.InnerText = $Text }
    $null = $Parent.AppendChild($element)
    $element
}

function Add-Description($Parent, [string] $Prefix, [string[]] $Lines) {
    $description = Add-Element $Parent $Prefix 'description'
    $paragraphs = @(Get-Paragraphs $Lines)
    if (-not $paragraphs) { $paragraphs = @('') }
    foreach ($p in $paragraphs) { $null = Add-Element $description 'maml' 'para' $p }
}

function Read-Yaml([string[]] $Lines) {
    $values = @{}
    foreach ($line in $Lines) {
        if ($line -match '^([A-Za-z ]+):\s*(.*)$') { $values[$Matches[1].Trim()] = $Matches[2].Trim() }
    }
    $values
}

function Read-Parameter([string] $Name, [string[]] $Lines) {
    $fence = [array]::IndexOf($Lines, '```yaml')
    if ($fence -lt 0) { throw "Parameter -$Name has no yaml block." }
    $end = [array]::IndexOf($Lines, '```', $fence + 1)
    $yaml = Read-Yaml $Lines[($fence + 1)..($end - 1)]
    $text = @($Lines[0..([Math]::Max(0, $fence - 1))] | Where-Object { $fence -gt 0 })
    [pscustomobject]@{
        Name        = $Name
        Description = $text
        Type        = $yaml['Type']
        Sets        = @(($yaml['Parameter Sets'] -split ',') | ForEach-Object Trim)
        Aliases     = $yaml['Aliases']
        Required    = $yaml['Required']
        Position    = $yaml['Position']
        Default     = $yaml['Default value']
        Pipeline    = $yaml['Accept pipeline input']
        Wildcards   = $yaml['Accept wildcard characters']
    }
}

function Add-Parameter($Parent, $Parameter, [string] $Required) {
    $element = Add-Element $Parent 'command' 'parameter'
    $element.SetAttribute('required', $Required.ToLowerInvariant())
    $element.SetAttribute('variableLength', ($Parameter.Type -like '*[[]]').ToString().ToLowerInvariant())
    $element.SetAttribute('globbing', ($Parameter.Wildcards -eq 'True').ToString().ToLowerInvariant())
    $element.SetAttribute('pipelineInput', $Parameter.Pipeline)
    $element.SetAttribute('position', $(if ($Parameter.Position -eq 'Named') { 'named' } else { $Parameter.Position }))
    $element.SetAttribute('aliases', $(if ($Parameter.Aliases) { $Parameter.Aliases } else { 'none' }))
    $null = Add-Element $element 'maml' 'name' $Parameter.Name
    Add-Description $element 'maml' $Parameter.Description
    if ($Parameter.Type -ne 'SwitchParameter') {
        $value = Add-Element $element 'command' 'parameterValue' $Parameter.Type
        $value.SetAttribute('required', 'true')
        $value.SetAttribute('variableLength', 'false')
    }
    $type = Add-Element $element 'dev' 'type'
    $null = Add-Element $type 'maml' 'name' $Parameter.Type
    $null = Add-Element $element 'dev' 'defaultValue' $Parameter.Default
}

function ConvertFrom-HelpMarkdown([string] $Path, $Document, $Root) {
    $lines = @(Get-Content $Path)
    # The target parameters shared by every NamespaceTargetCmdlet have one help text, in one file.
    $shared = Join-Path (Split-Path $Path) 'NamespaceTarget.parameters.md'
    $lines = @(foreach ($line in $lines) {
            if ($line -eq '<!-- Target parameters -->') { Get-Content $shared | Where-Object { $_ -notmatch '^(<!--|derives from|line `)' } } else { $line }
        })
    # Front matter, then "# Verb-Noun".
    $title = $lines | Where-Object { $_ -match '^# ' } | Select-Object -First 1
    if (-not $title) { throw "$Path has no '# Verb-Noun' title." }
    $name = $title.Substring(2).Trim()
    $verb, $noun = $name -split '-', 2
    $sections = Split-Sections $lines '## '
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
        if (-not $sections.Contains($required)) { throw "$Path has no '## $required' section." }
    }

    $command = $Document.CreateElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'dev') { $command.SetAttribute("xmlns:$prefix", $ns[$prefix]) }
    $null = $Root.AppendChild($command)
    $details = Add-Element $command 'command' 'details'
    $null = Add-Element $details 'command' 'name' $name
    $null = Add-Element $details 'command' 'verb' $verb
    $null = Add-Element $details 'command' 'noun' $noun
    Add-Description $details 'maml' $sections['SYNOPSIS']
    Add-Description $command 'maml' $sections['DESCRIPTION']

    $parameters = @(foreach ($entry in (Split-Sections $sections['PARAMETERS'] '### ').GetEnumerator()) {
            if ($entry.Key -eq 'CommonParameters') { continue }
            Read-Parameter $entry.Key.TrimStart('-') $entry.Value
        })

    # One syntax item per parameter set, in the order the sets first appear.
    $sets = [System.Collections.Generic.List[string]]::new()
    foreach ($p in $parameters) { foreach ($s in $p.Sets) { if ($s -ne '(All)' -and -not $sets.Contains($s)) { $sets.Add($s) } } }
    if ($sets.Count -eq 0) { $sets.Add('(All)') }
    $syntax = Add-Element $command 'command' 'syntax'
    foreach ($set in $sets) {
        $item = Add-Element $syntax 'command' 'syntaxItem'
        $null = Add-Element $item 'maml' 'name' $name
        foreach ($p in $parameters | Where-Object { $_.Sets -contains $set -or $_.Sets -contains '(All)' }) {
            # "Required: True (SetA), False (SetB)" says per set whether it is mandatory.
            $required = if ($p.Required -match "(True|False) \($([regex]::Escape($set))\)") { $Matches[1] } else { ($p.Required -split ' ')[0] }
            Add-Parameter $item $p $required
        }
    }

    $parametersElement = Add-Element $command 'command' 'parameters'
    foreach ($p in $parameters) { Add-Parameter $parametersElement $p (($p.Required -split ' ')[0]) }

    foreach ($kind in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
        if (-not $sections.Contains($kind[0])) { continue }
        $list = Add-Element $command 'command' $kind[1]
        foreach ($entry in (Split-Sections $sections[$kind[0]] '### ').GetEnumerator()) {
            $item = Add-Element $list 'command' $kind[2]
            $type = Add-Element $item 'dev' 'type'
            $null = Add-Element $type 'maml' 'name' $entry.Key
            Add-Description $item 'maml' $entry.Value
        }
    }

    if ($sections.Contains('NOTES') -and (Get-Paragraphs $sections['NOTES'])) {
        $alertSet = Add-Element $command 'maml' 'alertSet'
        $alert = Add-Element $alertSet 'maml' 'alert'
        foreach ($p in Get-Paragraphs $sections['NOTES']) { $null = Add-Element $alert 'maml' 'para' $p }
    }

    $examples = Add-Element $command 'command' 'examples'
    foreach ($entry in (Split-Sections $sections['EXAMPLES'] '### ').GetEnumerator()) {
        $example = Add-Element $examples 'command' 'example'
        $null = Add-Element $example 'maml' 'title' "--------- $($entry.Key) ---------"
        $body = @($entry.Value)
        $start = [array]::FindIndex([string[]]$body, [Predicate[string]] { param($l) $l -match '^```' })
        if ($start -lt 0) { throw "$Path, '$($entry.Key)' has no code block." }
        $end = [array]::FindIndex([string[]]$body, $start + 1, [Predicate[string]] { param($l) $l -match '^```' })
        $null = Add-Element $example 'dev' 'code' (($body[($start + 1)..($end - 1)]) -join "`n")
        $remarks = Add-Element $example 'dev' 'remarks'
        foreach ($p in Get-Paragraphs $body[($end + 1)..($body.Count - 1)]) { $null = Add-Element $remarks 'maml' 'para' $p }
    }

    if ($sections.Contains('RELATED LINKS')) {
        $links = Add-Element $command 'command' 'relatedLinks'
        foreach ($line in $sections['RELATED LINKS']) {
            if ($line -match '^\[(.+?)\]\((.*)\)') {
                $link = Add-Element $links 'maml' 'navigationLink'
                $null = Add-Element $link 'maml' 'linkText' $Matches[1]
                $null = Add-Element $link 'maml' 'uri' $Matches[2]
            }
        }
    }
}

$document = [System.Xml.XmlDocument]::new()
$null = $document.AppendChild($document.CreateXmlDeclaration('1.0', 'utf-8', $null))
$root = $document.CreateElement('helpItems', 'http://msh')
$root.SetAttribute('schema', 'maml')
$null = $document.AppendChild($root)
foreach ($file in Get-ChildItem $SourceDirectory -Filter '*-*.md' | Sort-Object Name) {
    ConvertFrom-HelpMarkdown $file.FullName $document $root
}
$document.Save($OutputPath)
