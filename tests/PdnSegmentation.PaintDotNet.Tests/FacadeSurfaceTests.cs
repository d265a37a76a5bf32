using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.PaintDotNet.Tests;

/// <summary>
/// The facade's compiled public surface against Paint.NET's official 5.1.9 API listing (api-5.1.9.json): every public
/// type exists there with the same kind; every public or protected member exists there (same kind, name and number of
/// parameters); enums carry exactly the documented values. Together with facade_subset.py --check (every required
/// declaration present verbatim) this keeps the facade faithful: nothing public that Paint.NET lacks.
/// </summary>
public class FacadeSurfaceTests
{
    private const string ApiFile = "paintdotnet/api-5.1.9.json";

    private sealed record ApiMember(string Kind, string Name, int Parameters);
    private sealed record ApiType(string Kind, List<ApiMember> Members, Dictionary<string, decimal> EnumValues);

    private static Dictionary<string, ApiType> LoadApi()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(SharedData.Root!, ApiFile)));
        var types = new Dictionary<string, ApiType>();
        foreach (var t in json.RootElement.GetProperty("types").EnumerateArray())
        {
            var members = new List<ApiMember>();
            if (t.TryGetProperty("members", out var ms) && ms.ValueKind == JsonValueKind.Array)
                foreach (var m in ms.EnumerateArray())
                {
                    int count = m.TryGetProperty("parameters", out var ps) && ps.ValueKind == JsonValueKind.Array ? ps.GetArrayLength() : ParameterCount(m.GetProperty("name").GetString()!);
                    members.Add(new ApiMember(m.GetProperty("kind").GetString()!, m.GetProperty("name").GetString()!, count));
                }
            var raw = new Dictionary<string, string>();
            if (t.TryGetProperty("values", out var vs) && vs.ValueKind == JsonValueKind.Array)
                foreach (var v in vs.EnumerateArray())
                    raw[v.GetProperty("name").GetString()!] = v.GetProperty("value").ToString();
            var values = raw.ToDictionary(r => r.Key, r => EnumValue(r.Value, raw));
            types[t.GetProperty("uid").GetString()!] = new ApiType(t.GetProperty("kind").GetString()!, members, values);
        }
        return types;
    }

    /// <summary>A documented enum value: a number, or names and numbers joined by '|' ("Read | Write").</summary>
    private static decimal EnumValue(string text, Dictionary<string, string> all)
    {
        ulong bits = 0;
        foreach (string part in text.Split('|', StringSplitOptions.TrimEntries))
        {
            if (decimal.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out decimal number))
            {
                if (!text.Contains('|')) return number;
                bits |= (ulong)number;
            }
            else bits |= (ulong)EnumValue(all[part], all);
        }
        return bits;
    }

    /// <summary>Commas at bracket depth 0 inside the parentheses of "Name(A, B&lt;C, D&gt;)".</summary>
    private static int ParameterCount(string display)
    {
        int open = display.IndexOfAny(['(', '[']);
        if (open < 0) return 0;
        string inside = display[(open + 1)..display.LastIndexOfAny([')', ']'])];
        if (string.IsNullOrWhiteSpace(inside)) return 0;
        int depth = 0, count = 1;
        foreach (char c in inside)
        {
            if (c is '<' or '(' or '[') depth++;
            else if (c is '>' or ')' or ']') depth--;
            else if (c == ',' && depth == 0) count++;
        }
        return count;
    }

    private static string BaseName(string display)
    {
        if (display.StartsWith("this[", StringComparison.Ordinal)) return "this[]";
        if (display.StartsWith("implicit operator", StringComparison.Ordinal)) return "implicit operator";
        if (display.StartsWith("explicit operator", StringComparison.Ordinal)) return "explicit operator";
        if (display.StartsWith("operator", StringComparison.Ordinal)) return display[..display.IndexOf('(')].Trim();
        return display.Split('(', '<')[0];
    }

    private static readonly Dictionary<string, string> Operators = new()
    {
        ["op_Equality"] = "operator ==", ["op_Inequality"] = "operator !=", ["op_Addition"] = "operator +", ["op_Subtraction"] = "operator -",
        ["op_UnaryNegation"] = "operator -", ["op_Multiply"] = "operator *", ["op_Division"] = "operator /", ["op_UnaryPlus"] = "operator +",
        ["op_Implicit"] = "implicit operator", ["op_Explicit"] = "explicit operator",
    };

    [SharedFileFact(ApiFile)]
    public void EveryPublicTypeAndMemberOfTheFacadeIsInPaintDotNetsApi()
    {
        var api = LoadApi();
        var facade = typeof(global::PaintDotNet.Effects.PropertyBasedBitmapEffect).Assembly;
        var problems = new List<string>();
        int typesChecked = 0, membersChecked = 0;
        foreach (var type in facade.GetExportedTypes())
        {
            string uid = type.FullName!;
            if (!api.TryGetValue(uid, out var documented)) { problems.Add($"type {uid} is not in Paint.NET's API"); continue; }
            typesChecked++;
            string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null ? "record" : "class";
            if (kind != documented.Kind) problems.Add($"{uid} is a {kind}, Paint.NET's is a {documented.Kind}");
            if (type.IsEnum)
            {
                var values = Enum.GetNames(type).ToDictionary(n => n, n => Convert.ToDecimal(Convert.ChangeType(Enum.Parse(type, n), Enum.GetUnderlyingType(type))));
                if (values.Count != documented.EnumValues.Count || values.Any(v => !documented.EnumValues.TryGetValue(v.Key, out decimal d) || d != v.Value))
                    problems.Add($"enum {uid} values differ from Paint.NET's");
                continue;
            }
            var names = documented.Members.Select(m => (BaseName(m.Name), m.Parameters)).ToHashSet();
            string shortName = type.Name.Split('`')[0];
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (!Visible(member) || member.IsDefined(typeof(CompilerGeneratedAttribute))) continue;
                (string Name, int Count)? key = member switch
                {
                    ConstructorInfo c => (shortName, c.GetParameters().Length),
                    MethodInfo m when m.IsSpecialName && Operators.TryGetValue(m.Name, out var op) => (op, m.GetParameters().Length),
                    MethodInfo m when m.IsSpecialName => null, // property and event accessors
                    MethodInfo m when m.Name == "Finalize" => null,
                    MethodInfo m => (m.Name, m.GetParameters().Length),
                    PropertyInfo p when p.GetIndexParameters().Length > 0 => ("this[]", p.GetIndexParameters().Length),
                    PropertyInfo p => (p.Name, 0),
                    EventInfo e => (e.Name, 0),
                    FieldInfo f => (f.Name, 0),
                    _ => null,
                };
                if (key is null) continue;
                membersChecked++;
                if (!names.Contains(key.Value)) problems.Add($"{uid}: {member.MemberType} {key.Value.Name} ({key.Value.Count} parameters) is not in Paint.NET's API");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(typesChecked > 100 && membersChecked > 500, $"checked only {typesChecked} types, {membersChecked} members");
    }

    /// <summary>The FACADE.md checker: every declaration of the required subset present verbatim in the facade's sources.</summary>
    [SharedFileFact("paintdotnet/facade_subset.py")]
    public void EveryRequiredDeclarationIsInTheFacadeVerbatim()
    {
        string script = Path.Combine(SharedData.Root!, "paintdotnet", "facade_subset.py");
        string facade = Path.Combine(SharedData.RepositoryRoot(), "tests", "PaintDotNet.Facade");
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--check");
        start.ArgumentList.Add(facade);
        using var process = System.Diagnostics.Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("0 missing", output);
    }

    private static bool Visible(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        PropertyInfo p => (p.GetMethod ?? p.SetMethod) is { } a && (a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } a && (a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        _ => false,
    };
}
