<#
.SYNOPSIS
    Writes a platyPS-format help skeleton (docs/en-US/Verb-Noun.md) for each exported cmdlet
    that has none yet, from the cmdlet's metadata and the XML doc comments of its parameters.
.DESCRIPTION
    What only a person can write (description, examples) is left as {{ ... }} markers, which the
    help tests refuse, so a skeleton cannot ship unfinished. Run after a build:
    dotnet pwsh ./build/New-HelpMarkdown.ps1
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PSNamespaces'),
    [string] $XmlDocPath = (Join-Path $PSScriptRoot '../out/publish/linux-x64/PSNamespaces.xml'),
    [string] $Destination = (Join-Path $PSScriptRoot '../docs/en-US')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$docs = [xml](Get-Content $XmlDocPath -Raw)
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function Get-DocText([string] $Member) {
    $node = $docs.doc.members.member | Where-Object name -eq $Member
    if (-not $node) { return '{{ Describe this }}' }
    $summary = $node.summary
    $text = if ($summary -is [string]) { $summary } elseif ($summary.para) { $summary.para | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.'#text' } } } else { $summary.InnerText }
    (($text -join ' ') -replace '\s+', ' ').Trim()
}

foreach ($command in Get-Command -Module PSNamespaces -CommandType Cmdlet) {
    $file = Join-Path $Destination "$($command.Name).md"
    if (Test-Path $file) { continue }
    $type = $command.ImplementingType
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.AddRange([string[]]@('---', 'external help file: PSNamespaces.dll-Help.xml', 'Module Name: PSNamespaces', 'online version:', 'schema: 2.0.0', '---', '',
            "# $($command.Name)", '', '## SYNOPSIS', (Get-DocText "T:$($type.FullName)"), '', '## SYNTAX', ''))
    foreach ($set in $command.ParameterSets) {
        $title = if ($set.IsDefault -and $command.ParameterSets.Count -gt 1) { "### $($set.Name) (Default)" } else { "### $($set.Name)" }
        if ($command.ParameterSets.Count -gt 1) { $lines.AddRange([string[]]@($title, '')) }
        $lines.AddRange([string[]]@('```', "$($command.Name) $set", '```', ''))
    }
    $lines.AddRange([string[]]@('## DESCRIPTION', '{{ Describe what the cmdlet does, and which reference tool it matches }}', '',
            '## EXAMPLES', '', '### Example 1', '```powershell', '{{ Add example code }}', '```', '', '{{ Add example description }}', '',
            '### Example 2', '```powershell', '{{ Add example code }}', '```', '', '{{ Add example description }}', '', '## PARAMETERS', ''))
    foreach ($parameter in $command.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $sets = $parameter.ParameterSets.Keys
        $attributes = $parameter.ParameterSets.Values
        $setNames = if ($sets -contains '__AllParameterSets') { '(All)' } else { ($sets | Sort-Object) -join ', ' }
        $required = if (@($attributes.IsMandatory | Sort-Object -Unique).Count -eq 1) { "$($attributes[0].IsMandatory)" } else {
            (($parameter.ParameterSets.GetEnumerator() | ForEach-Object { "$($_.Value.IsMandatory) ($($_.Key))" }) -join ', ') }
        $position = ($attributes | ForEach-Object { if ($_.Position -ge 0) { "$($_.Position)" } else { 'Named' } } | Select-Object -First 1)
        $pipeline = @(if ($attributes.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' }
            if ($attributes.ValueFromPipeline -contains $true) { 'ByValue' })
        $typeName = $parameter.ParameterType.Name
        $lines.AddRange([string[]]@("### -$($parameter.Name)", (Get-DocText "P:$($type.FullName).$($parameter.Name)"), '', '```yaml',
                "Type: $typeName", "Parameter Sets: $setNames", "Aliases: $($parameter.Aliases -join ', ')"))
        $enum = $parameter.ParameterType
        if ($enum.IsArray) { $enum = $enum.GetElementType() }
        if ($enum.IsEnum) { $lines.Add("Accepted values: $([Enum]::GetNames($enum) -join ', ')") }
        $lines.AddRange([string[]]@('', "Required: $required", "Position: $position", 'Default value: None',
                "Accept pipeline input: $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' })",
                "Accept wildcard characters: $(($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) -ne $null)",
                '```', ''))
    }
    $lines.AddRange([string[]]@('### CommonParameters',
            'This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see about_CommonParameters.',
            '', '## INPUTS', ''))
    foreach ($input in $command.Parameters.Values | Where-Object { $_.Attributes.ValueFromPipeline -contains $true } | ForEach-Object { $_.ParameterType.FullName } | Sort-Object -Unique) {
        $lines.AddRange([string[]]@("### $input", '', ''))
    }
    $lines.AddRange([string[]]@('## OUTPUTS', ''))
    foreach ($output in $command.OutputType.Name | Sort-Object -Unique) { $lines.AddRange([string[]]@("### $output", '', '')) }
    $lines.AddRange([string[]]@('## NOTES', '', '## RELATED LINKS', ''))
    Set-Content -Path $file -Value $lines
    Write-Host "Wrote $file"
}
