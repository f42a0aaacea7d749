namespace NomadDbPatterns.Rendering;

/// <summary>Writes rendered files so that a reader never sees a half-written file: temp file, then rename.</summary>
public static class OutputWriter
{
    /// <summary>Writes every file into <paramref name="directory"/> (created if needed); unchanged files are left alone.</summary>
    public static void WriteAll(string directory, IEnumerable<RenderedFile> files)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        var list = files.ToList();
        var duplicate = list.GroupBy(f => f.FileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two jobs render to the same file '{duplicate.Key}'.");
        }

        Directory.CreateDirectory(directory);
        var staged = new List<(string Temp, string Target)>();
        try
        {
            foreach (var file in list)
            {
                var target = Path.Combine(directory, file.FileName);
                if (File.Exists(target) && File.ReadAllText(target) == file.Content)
                {
                    continue;
                }

                var temp = Path.Combine(directory, $".{file.FileName}.{Environment.ProcessId}.tmp");
                File.WriteAllText(temp, file.Content);
                staged.Add((temp, target));
            }

            foreach (var (temp, target) in staged)
            {
                File.Move(temp, target, overwrite: true);
            }
        }
        catch
        {
            foreach (var (temp, _) in staged)
            {
                File.Delete(temp);
            }

            throw;
        }
    }
}
