namespace PSNamespaces;

/// <summary>How mount events propagate between a new mount namespace and the one it was copied
/// from (unshare --propagation; mount_namespaces(7)).</summary>
public enum MountPropagation
{
    /// <summary>No propagation either way (unshare's default).</summary>
    Private,

    /// <summary>Mounts and unmounts propagate both ways.</summary>
    Shared,

    /// <summary>Events of the original namespace reach the new one, not the reverse.</summary>
    Slave,

    /// <summary>The propagation copied from the original namespace is left as it is.</summary>
    Unchanged,
}
