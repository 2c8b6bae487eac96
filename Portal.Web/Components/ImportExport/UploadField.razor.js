// Uploads the chosen file straight to the portal over HTTP (streamed to disk there), reporting progress to the page.
export function attach(input, url, token, page) {
    input.onchange = () => {
        const file = input.files && input.files[0];
        if (!file) {
            return;
        }

        const request = new XMLHttpRequest();
        let last = 0;
        request.open("POST", `${url}?name=${encodeURIComponent(file.name)}`);
        request.setRequestHeader("RequestVerificationToken", token);
        request.setRequestHeader("Content-Type", "application/octet-stream");
        request.upload.onprogress = e => {
            const now = Date.now();
            if (e.lengthComputable && now - last > 250) {
                last = now;
                page.invokeMethodAsync("UploadProgress", file.name, e.loaded, e.total);
            }
        };
        request.onload = () => page.invokeMethodAsync("UploadDone", request.status, request.responseText);
        request.onerror = () => page.invokeMethodAsync("UploadDone", 0, "");
        page.invokeMethodAsync("UploadProgress", file.name, 0, file.size);
        request.send(file);
        input.value = "";
    };
}

export function pick(input) {
    input.click();
}
