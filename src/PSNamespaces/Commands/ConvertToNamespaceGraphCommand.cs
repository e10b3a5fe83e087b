using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using PSNamespaces.Core.Graph;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Draws namespaces from Get-Namespace as a graph: Graphviz DOT or Mermaid text, or an SVG picture.</para>
/// </summary>
/// <remarks>
/// User namespaces become clusters holding what they own; inside them the host's namespaces are
/// one node and every container's or process tree's namespaces one cluster labelled with its
/// runtime or unit (Core/Graph/NamespaceGraph); -By chooses the edges. Namespaces from remoting
/// or Import-Clixml are drawn too. No input gives an empty graph.
/// </remarks>
[Cmdlet(VerbsData.ConvertTo, "NamespaceGraph", SupportsShouldProcess = true)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ConvertToNamespaceGraphCommand : NamespaceCmdlet
{
    private const string Dot = "Dot";
    private const string Mermaid = "Mermaid";

    /// <summary>The namespaces to draw, usually from Get-Namespace.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>
    /// The edges: Owner (the default; clusters show ownership, dashed edges PID namespaces'
    /// parents), Parent (PID and user namespaces to their parents), or Process (a namespace to
    /// the one of its kind whose lowest PID is its lowest PID's parent). Network draws another
    /// picture: the network namespaces of the input as clusters of their interfaces, with veth
    /// pairs between them and bridges with their ports (read as Get-NamespaceInterface does).
    /// </summary>
    [Parameter(Position = 1)]
    public NamespaceRelation By { get; set; } = NamespaceRelation.Owner;

    /// <summary>The text to write: Dot (Graphviz; the default) or Mermaid (a flowchart).</summary>
    [Parameter]
    [ValidateSet(Dot, Mermaid)]
    public string Format { get; set; } = Dot;

    /// <summary>
    /// Write to this file instead of the pipeline. A name ending in .svg is rendered with
    /// Graphviz's dot (apt-get install graphviz); any other name gets the text.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? OutFile { get; set; }

    private readonly List<GraphNode> _nodes = new();

    // With -By Network, the objects too: each network namespace is reopened to read its interfaces.
    private readonly List<(PSObject Item, GraphNode Node)> _items = new();

    protected override void BeginProcessing()
    {
        if (OutFile is not null && IsSvg(OutFile) && Format == Mermaid)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument(
                "MermaidNotRenderable", "-OutFile *.svg is rendered with Graphviz, which reads -Format Dot: drop -Format Mermaid, or write the Mermaid text to a .mmd file.", OutFile));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (PSObject item in InputObject)
        {
            if (NamespaceObject.ToGraphNode(item) is GraphNode node)
            {
                _nodes.Add(node);
                _items.Add((item, node));
            }
            else
            {
                WriteError(ErrorRecords.InvalidArgument(
                    "NotANamespace", "The input is not a namespace: it has no Inode and Type, as Get-Namespace's objects have.", item));
            }
        }
    }

    protected override void EndProcessing()
    {
        string text;
        if (By == NamespaceRelation.Network)
        {
            var network = new NetworkGraph(NetworkGraphInput.Read(this, _items));
            text = Format == Mermaid ? NetworkMermaidWriter.Write(network) : NetworkDotWriter.Write(network);
        }
        else
        {
            var graph = new NamespaceGraph(_nodes, By);
            text = Format == Mermaid ? MermaidWriter.Write(graph) : DotWriter.Write(graph);
        }
        if (OutFile is null)
        {
            WriteObject(text);
            return;
        }

        string? path = ResolveFileSystemPath(OutFile, out ErrorRecord? error);
        if (path is null)
        {
            ThrowTerminatingError(error!);
            return;
        }

        if (!ShouldProcess(path, IsSvg(path) ? "Render the namespace graph with dot" : "Write the namespace graph"))
        {
            return;
        }

        if (IsSvg(path))
        {
            RenderSvg(text, path);
        }
        else
        {
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        WriteObject(WrittenFile(path));
    }

    /// <summary>
    /// The file as Get-Item gives it: through the FileSystem provider, with the PSPath and
    /// PSParentPath notes its table view reads (a bare FileInfo shows empty UnixMode, User,
    /// Group and Size columns, under no "Directory:" heading).
    /// </summary>
    private object WrittenFile(string path)
    {
        var items = SessionState.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true);
        return items.Count == 1 ? items[0] : new FileInfo(path);
    }

    private void RenderSvg(string text, string path)
    {
        if (GraphvizDot.Find() is not string dot)
        {
            ThrowTerminatingError(ErrorRecords.GraphvizNotInstalled(OutFile!));
            return;
        }

        if (GraphvizDot.Render(dot, text, "svg", path) is string failure)
        {
            ThrowTerminatingError(ErrorRecords.GraphvizFailed(path, failure, OutFile!));
        }
    }

    private static bool IsSvg(string path) => path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);
}
