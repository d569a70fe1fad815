/* Classify JPEG images with an SE-ResNet .hlx file.
 *
 *   cc classify_image.c $(pkg-config --cflags --libs helix) -o classify_image
 *   ./classify_image models/ultrasound/seresnet_untrained_tiny.hlx scan.jpg
 *
 * Prints, per image: the file, the predicted label, then every
 * label=probability. */
#include <stdio.h>
#include <stdlib.h>

#include <helix.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL.hlx IMAGE.jpg...\n", argv[0]);
        return 2;
    }
    hx_error err;
    hx_seresnet_file model; /* network, label names and the input preprocessing */
    if (hx_seresnet_file_open(argv[1], &model, &err) != HX_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }
    /* The network input: one image, 3 x height x width floats (NCHW). */
    int h = model.pre.height, w = model.pre.width;
    float *input = malloc(sizeof(float) * 3 * (size_t)h * (size_t)w);
    float *logits = malloc(sizeof(float) * (size_t)model.n_labels);
    float *probs = malloc(sizeof(float) * (size_t)model.n_labels);
    /* A session sizes the network's working memory once (here: one image of
     * h x w, no thread pool); its forwards allocate nothing. */
    hx_seresnet_session *sess = NULL;
    int rc = 0;
    if (!input || !logits || !probs) {
        fprintf(stderr, "out of memory\n");
        rc = 1;
    } else if (hx_seresnet_session_create(model.net, 1, h, w, NULL, &sess, &err) != HX_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        rc = 1;
    }

    for (int i = 2; i < argc && rc == 0; i++) {
        hx_image img; /* 8-bit RGB, EXIF orientation applied */
        if (hx_decode_jpeg_file(argv[i], HX_IMAGE_MAX_PIXELS_DEFAULT, &img, &err) != HX_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], err.msg);
            rc = 1;
            break;
        }
        /* resize, center crop and normalise exactly as the model was trained */
        hx_status st = hx_preprocess_rgb8(img.rgb, img.width, img.height, &model.pre, input, &err);
        hx_image_free(&img);
        if (st == HX_OK) st = hx_seresnet_session_forward(sess, 1, h, w, input, logits, &err);
        if (st != HX_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], err.msg);
            rc = 1;
            break;
        }
        hx_softmax_rows(1, (size_t)model.n_labels, logits, (size_t)model.n_labels, probs, (size_t)model.n_labels);
        int best = 0;
        for (int k = 1; k < model.n_labels; k++)
            if (probs[k] > probs[best]) best = k;
        printf("%s %s", argv[i], model.labels[best]);
        for (int k = 0; k < model.n_labels; k++) printf(" %s=%.6f", model.labels[k], probs[k]);
        printf("\n");
    }

    hx_seresnet_session_free(sess);
    free(probs);
    free(logits);
    free(input);
    hx_seresnet_file_close(&model);
    return rc;
}
