using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Network;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Gets the network interfaces of network namespaces, with their addresses and, for a veth, the namespace and interface at its other end.</para>
/// </summary>
/// <remarks>
/// Read over rtnetlink through a socket made inside each namespace (ip -n NAME -d link and
/// ip -n NAME addr, without starting ip); the namespace is never joined by pwsh's threads.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "NamespaceInterface", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(NamespaceInterface))]
public sealed class GetNamespaceInterfaceCommand : NamespaceTargetCmdlet, IDisposable
{
    private static readonly NamespaceType[] s_net = { NamespaceType.Net };

    /// <summary>Only the interfaces with one of these names; wildcards are allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    private WildcardPattern[]? _interfaceNames;

    // The host's network namespaces, opened as peers need them, kept across targets, closed at the end.
    private readonly NetworkNamespaces _host = new();

    protected override void BeginProcessing()
    {
        if (InterfaceName is not null)
        {
            // Interface names are case sensitive, as the kernel compares them.
            _interfaceNames = WildcardPatterns.Compile(this, InterfaceName, WildcardOptions.None);
        }
    }

    protected override NamespaceType[]? TargetTypes => s_net;

    protected override IReadOnlyCollection<NamespaceType> ProcessKinds => s_net;

    /// <summary>Writes the interfaces of one network namespace; one that cannot be read is that input's error.</summary>
    private protected override void ProcessRecordWithTarget(NamespaceTarget target, object input, string? netnsName)
    {
        using (target)
        {
            List<NamespaceInterface> interfaces;
            try
            {
                interfaces = InterfaceReader.Read(target.Files[NamespaceType.Net], netnsName, _host, InputText(input));
            }
            catch (ErrnoException ex)
            {
                WriteError(ErrorRecords.FromErrno(ex, input));
                return;
            }

            foreach (NamespaceInterface item in interfaces)
            {
                if (_interfaceNames is null || Array.Exists(_interfaceNames, p => p.IsMatch(item.Name)))
                {
                    WriteObject(item);
                }
            }
        }
    }

    public void Dispose() => _host.Dispose();

    private static string InputText(object input) => input is Array array ? string.Join(", ", System.Linq.Enumerable.Cast<object>(array)) : input.ToString() ?? "";
}
