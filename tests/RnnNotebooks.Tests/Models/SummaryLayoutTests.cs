using RnnNotebooks.Layers;
using RnnNotebooks.Models;

namespace RnnNotebooks.Tests.Models;

[Collection("LayerNames")]
public class SummaryLayoutTests
{
    [Fact]
    public void Dense_stack_summary_matches_keras2_layout_to_the_character()
    {
        LayerNames.ClearSession();
        var model = new Sequential(new Dense(64, "relu", inputShape: [100]), new Dense(100, "softmax"));
        string expected = string.Join(
            "\n",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "dense_1 (Dense)              (None, 64)                6464      ",
            "_________________________________________________________________",
            "dense_2 (Dense)              (None, 100)               6500      ",
            "=================================================================",
            "Total params: 12,964",
            "Trainable params: 12,964",
            "Non-trainable params: 0",
            "_________________________________________________________________",
            ""
        );
        model.Summary().ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("SimpleRNN", "simple_rnn")]
    [InlineData("LSTM", "lstm")]
    [InlineData("GRU", "gru")]
    [InlineData("TimeDistributed", "time_distributed")]
    [InlineData("Conv1D", "conv1d")]
    [InlineData("GlobalMaxPooling1D", "global_max_pooling1d")]
    [InlineData("CuDNNLSTM", "cu_dnnlstm")]
    public void Default_name_prefixes_follow_keras_snake_case(string className, string prefix) =>
        LayerNames.ToSnakeCase(className).Should().Be(prefix);

    [Fact]
    public void Counters_are_per_prefix_and_survive_across_models_until_cleared()
    {
        LayerNames.ClearSession();
        var a = new Dense(1);
        var b = new Dense(1);
        LayerNames.Next("SimpleRNN").Should().Be("simple_rnn_1");
        (a.Name, b.Name).Should().Be(("dense_1", "dense_2"));
        LayerNames.ClearSession();
        new Dense(1).Name.Should().Be("dense_1");
    }
}

[CollectionDefinition("LayerNames", DisableParallelization = true)]
public class LayerNamesCollection { }
