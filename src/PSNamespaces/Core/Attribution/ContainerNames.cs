using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The names runtimes give their containers, read from where each keeps them on disk (the
/// cgroup path carries only the id): docker's ROOT/containers/ID/config.v2.json ("Name":
/// "/web"), and containers/storage's DRIVER-containers/containers.json, where podman (and
/// buildah, CRI-O) records each container's names. A runc container's name is its id; lxc's and
/// machines' ids already are their names. Files that are missing or unreadable give no names:
/// the container is still found by its id.
/// </summary>
internal sealed class ContainerNames
{
    internal const string DockerRoot = "/var/lib/docker";
    internal const string StorageRoot = "/var/lib/containers/storage";

    private readonly string _dockerRoot;
    private readonly string _storageRoot;
    private Dictionary<string, string[]>? _storage;

    /// <param name="dockerRoot">dockerd's data-root (another directory only in tests).</param>
    /// <param name="storageRoot">containers/storage's graphroot for root (another directory only in tests).</param>
    internal ContainerNames(string dockerRoot = DockerRoot, string storageRoot = StorageRoot)
    {
        _dockerRoot = dockerRoot;
        _storageRoot = storageRoot;
    }

    /// <summary>The names of a container, as its runtime's ps shows them; empty when it keeps none.</summary>
    internal string[] Of(string runtime, string id) => runtime switch
    {
        "docker" => Docker(id),
        "podman" or "cri-o" => Storage().TryGetValue(id, out string[]? names) ? names : Array.Empty<string>(),
        _ => Array.Empty<string>(),
    };

    private string[] Docker(string id)
    {
        try
        {
            using JsonDocument config = JsonDocument.Parse(File.ReadAllBytes(Path.Join(_dockerRoot, "containers", id, "config.v2.json")));
            // docker keeps the name with a leading '/' (a path in its name registry); docker ps drops it.
            return config.RootElement.TryGetProperty("Name", out JsonElement name) && name.GetString() is { Length: > 0 } text
                ? new[] { text.TrimStart('/') }
                : Array.Empty<string>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Every container containers/storage records, by id: read once, from each storage driver's list.</summary>
    private Dictionary<string, string[]> Storage()
    {
        if (_storage is not null)
        {
            return _storage;
        }

        _storage = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!Directory.Exists(_storageRoot))
        {
            return _storage;
        }

        // overlay-containers, vfs-containers, btrfs-containers...: one list per driver used.
        foreach (string directory in Directory.EnumerateDirectories(_storageRoot, "*-containers"))
        {
            try
            {
                using JsonDocument list = JsonDocument.Parse(File.ReadAllBytes(Path.Join(directory, "containers.json")));
                foreach (JsonElement container in list.RootElement.EnumerateArray())
                {
                    if (container.TryGetProperty("id", out JsonElement id) && id.GetString() is string text &&
                        container.TryGetProperty("names", out JsonElement names) && names.ValueKind == JsonValueKind.Array)
                    {
                        var found = new List<string>();
                        foreach (JsonElement name in names.EnumerateArray())
                        {
                            if (name.GetString() is { Length: > 0 } value)
                            {
                                found.Add(value);
                            }
                        }

                        _storage[text] = found.ToArray();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
            {
                // A list being rewritten, or another driver's leftovers: its containers are found by id.
            }
        }

        return _storage;
    }
}
