using System.Collections.Generic;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Namespaces drawn together in one cluster: those of one container, or those whose lowest PID
/// is one process (the tree it made), or the named network namespaces no process holds, or the
/// other namespaces no process holds. Id is its lowest inode.
/// </summary>
internal sealed record NodeGroup(ulong Id, string[] Label, IReadOnlyList<GraphNode> Members);
