namespace PSNamespaces;

/// <summary>The relation a namespace tree follows (lsns --tree=process|parent|owner).</summary>
public enum NamespaceRelation
{
    /// <summary>A namespace under the namespace whose lowest PID is the parent of its lowest PID.</summary>
    Process,

    /// <summary>A PID or user namespace under its parent; the other kinds at the top.</summary>
    Parent,

    /// <summary>A namespace under the user namespace that owns it.</summary>
    Owner,

    /// <summary>
    /// Network namespaces with their interfaces, and the veth pairs and bridges between them
    /// (ConvertTo-NamespaceGraph only: a tree of lines cannot show a network).
    /// </summary>
    Network,
}
