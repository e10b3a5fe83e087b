<#
    The constants and sizes the launch code declares itself, checked against the system headers
    by compiling a tiny C program, and the helper's report kinds against Native/nsexec.c.
#>
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $assembly = (Get-Module PSNamespaces).ImplementingAssembly
    $sys = $assembly.GetType('PSNamespaces.Interop.Sys')
    $errno = $assembly.GetType('PSNamespaces.Interop.Errno')
    function Get-Declared([type] $Type, [string] $Name) {
        $Type.GetField($Name, [Reflection.BindingFlags]'NonPublic,Static').GetValue($null)
    }

    $source = @'
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/stat.h>
int main(void)
{
    printf("PosixSpawnFileActionsSize %zu\n", sizeof(posix_spawn_file_actions_t));
    printf("MS_PRIVATE %d\nMS_SLAVE %d\nMS_SHARED %d\n", MS_PRIVATE, MS_SLAVE, MS_SHARED);
    printf("MOUNT_ATTR_RDONLY %d\nMOUNT_ATTR_NOSUID %d\nMOUNT_ATTR_NODEV %d\nMOUNT_ATTR_NOEXEC %d\n",
           MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC);
    printf("STATX_ATTR_MOUNT_ROOT %d\n", STATX_ATTR_MOUNT_ROOT);
    printf("WNOHANG %d\n", WNOHANG);
    printf("EXDEV %d\nESTALE %d\n", EXDEV, ESTALE);
    /* Exit 3, death by SIGKILL, by SIGTERM: what a shell reports for each. */
    int statuses[] = { 3 << 8, 9, 15 };
    for (int i = 0; i < 3; i++) {
        int s = statuses[i];
        printf("status %d %d\n", s, WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s));
    }
    return 0;
}
'@
    $dir = Join-Path ([IO.Path]::GetTempPath()) "psns-i5-constants-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    Set-Content (Join-Path $dir 'c.c') $source
    cc -o (Join-Path $dir 'c') (Join-Path $dir 'c.c')
    if ($LASTEXITCODE -ne 0) { throw 'The constants program did not compile.' }
    $fromHeaders = @{}
    $statuses = @{}
    foreach ($line in & (Join-Path $dir 'c')) {
        $f = $line -split ' '
        if ($f[0] -eq 'status') { $statuses[[int]$f[1]] = [int]$f[2] } else { $fromHeaders[$f[0]] = [uint64]$f[1] }
    }
    Remove-Item $dir -Recurse -Force
}

Describe 'Launch constants match the system headers' {
    It '<Name> of Interop.Sys' -TestCases @(
        @{ Name = 'PosixSpawnFileActionsSize' }, @{ Name = 'MS_PRIVATE' }, @{ Name = 'MS_SLAVE' }, @{ Name = 'MS_SHARED' }
        @{ Name = 'MOUNT_ATTR_RDONLY' }, @{ Name = 'MOUNT_ATTR_NOSUID' }, @{ Name = 'MOUNT_ATTR_NODEV' }, @{ Name = 'MOUNT_ATTR_NOEXEC' }
        @{ Name = 'STATX_ATTR_MOUNT_ROOT' }, @{ Name = 'WNOHANG' }
    ) {
        [uint64](Get-Declared $sys $Name) | Should -Be $fromHeaders[$Name]
    }

    It '<Name> of Interop.Errno' -TestCases @(@{ Name = 'EXDEV' }, @{ Name = 'ESTALE' }) {
        [uint64](Get-Declared $errno $Name) | Should -Be $fromHeaders[$Name]
    }

    It 'decodes wait statuses as WIFEXITED/WEXITSTATUS/WTERMSIG do' {
        $decode = $sys.GetMethod('ShellExitCode', [Reflection.BindingFlags]'NonPublic,Static')
        foreach ($status in $statuses.Keys) {
            $decode.Invoke($null, @($status)) | Should -Be $statuses[$status] -Because "status $status"
        }
    }

    It 'reads the helper''s report kinds as Native/nsexec.c defines them' {
        $c = Get-Content (Join-Path $PSScriptRoot '../../src/PSNamespaces/Native/nsexec.c') -Raw
        $c -match 'enum report_kind \{([^}]*)\}' | Should -BeTrue
        $kinds = $assembly.GetType('PSNamespaces.Core.HelperReportKind')
        foreach ($entry in $Matches[1] -split ',') {
            $name, $value = $entry -split '=' | ForEach-Object Trim
            $csharp = @{ REPORT_FAILED = 'Failed'; REPORT_SYNC = 'Sync'; REPORT_CHILD = 'Child' }[$name]
            [int][Enum]::Parse($kinds, $csharp) | Should -Be ([int]$value) -Because $name
        }
    }
}
