// BenchOptions: the command line. Every option has a default that gives the standard, committed run.
using System.Globalization;

namespace LstmSharp.Bench;

internal sealed record BenchOptions
{
    public const string Usage = """
        LstmSharp.Bench: LstmSharp side by side with ONNX Runtime, TorchSharp (libtorch) and OpenBLAS.

        usage: dotnet run -c Release --project bench/LstmSharp.Bench -- [options]

          --out PATH          results file (.md; a .json with every sample is written beside it).
                              Default: bench/results/<cpu-name-slug>/lstm.md in the repository; '-' = console only.
          --quick             short runs (3 runs, 1 round) to try things out; not for committed results
          --configs 1,3       only these LSTM configurations (1-based, in the order of the table)
          --sections LIST     any of lstm,gemm,breakdown (default: all)
          --no-ort  --no-torch  --no-blas    leave a peer out
          --threads N         threads for every peer (default: LstmSharp's, i.e. LSTMSHARP_THREADS or the core count)
          --blas-coretype X   set OPENBLAS_CORETYPE=X before OpenBLAS loads (default: leave the environment alone)
          --onednn-max-isa X  set ONEDNN_MAX_CPU_ISA=X (e.g. AVX2) before libtorch loads (default: leave it alone)
          --gemm-size N       square GEMM size (default 1024)
          --seed N            weights and data seed (default 42)
          --help
        """;

    public string? Out { get; init; }
    public bool Quick { get; init; }
    public IReadOnlyList<int>? Configs { get; init; }
    public ISet<string> Sections { get; init; } = new HashSet<string>(["lstm", "gemm", "breakdown"]);
    public bool Ort { get; init; } = true;
    public bool Torch { get; init; } = true;
    public bool Blas { get; init; } = true;
    public int? Threads { get; init; }
    public string? BlasCoreType { get; init; }
    public string? OnednnMaxIsa { get; init; }
    public int GemmSize { get; init; } = 1024;
    public int Seed { get; init; } = 42;
    public bool Help { get; init; }

    public Budget Budget => Quick ? Budget.Quick : Budget.Full;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--out" => options with { Out = Value() },
                "--quick" => options with { Quick = true },
                "--configs" => options with { Configs = Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--sections" => options with { Sections = new HashSet<string>(Value().Split(',')) },
                "--no-ort" => options with { Ort = false },
                "--no-torch" => options with { Torch = false },
                "--no-blas" => options with { Blas = false },
                "--threads" => options with { Threads = Int() },
                "--blas-coretype" => options with { BlasCoreType = Value() },
                "--onednn-max-isa" => options with { OnednnMaxIsa = Value() },
                "--gemm-size" => options with { GemmSize = Int() },
                "--seed" => options with { Seed = Int() },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Use --help for the list."),
            };
        }
        foreach (var s in options.Sections)
            if (s is not ("lstm" or "gemm" or "breakdown")) throw new ArgumentException($"Unknown section '{s}'; use lstm, gemm, breakdown.");
        if (options.Configs?.Any(c => c < 1 || c > LstmConfig.Standard.Count) == true)
            throw new ArgumentException($"--configs takes numbers from 1 to {LstmConfig.Standard.Count}.");
        return options;
    }

    public IReadOnlyList<LstmConfig> SelectedConfigs
        => Configs is null ? LstmConfig.Standard : Configs.Select(c => LstmConfig.Standard[c - 1]).ToArray();
}
